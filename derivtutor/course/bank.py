"""The exercise bank: one TOML file per exercise, validated against a schema.

Every file in ``exercises/`` describes one exercise::

    id = "chain-tg-x2"
    kind = "derivative"          # derivative | identity | value | backprop | descent | derivation | lab | matrix | gradient | implicit
    topic = "chain"
    difficulty = 2               # 1..3
    points = 1.0
    function = "tg(x^2)"         # kind-specific fields, see KIND_FIELDS
    variable = "x"
    [title]   en = "..." ru = "..."
    [prompt]  en = "..." ru = "..."
    [[hints]] en = "..." ru = "..."
    [partial_credit]             # optional: diagnosis code -> fraction of the points
    "chain.missing-inner" = 0.5

Each kind is graded by the function named in ``KIND_CHECKERS``; it is imported
only when an exercise of that kind is first checked, so the backprop and descent
kinds slot in from their own modules.

>>> bank = load_exercises()
>>> bank["chain-tg-x2"].kind
'derivative'
"""
from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: kind -> "module:function" with signature check(exercise, answer, lang="en") -> CheckResult.
KIND_CHECKERS = {
    "derivative": "derivtutor.course.kinds:check_derivative",
    "identity": "derivtutor.course.kinds:check_identity",
    "value": "derivtutor.course.kinds:check_value",
    "backprop": "derivtutor.course.backprop_kind:check",
    "descent": "derivtutor.course.descent_kind:check",
    "matrix": "derivtutor.course.matrix_kind:check",
    "derivation": "derivtutor.course.derivation_kind:check",
    "lab": "derivtutor.course.lab_kind:check",
    "gradient": "derivtutor.course.calculus_kinds:check_gradient",
    "implicit": "derivtutor.course.calculus_kinds:check_implicit",
}

#: Fields every exercise has: name -> (accepted types, required).
COMMON_FIELDS = {
    "id": ((str,), True),
    "kind": ((str,), True),
    "topic": ((str,), True),
    "difficulty": ((int,), True),
    "points": ((int, float), True),
    "title": ((dict,), True),
    "prompt": ((dict,), True),
    "hints": ((list,), False),
    "partial_credit": ((dict,), False),
    "require_simplified": ((bool,), False),
    "answer": ((str,), False),
    "parameters": ((dict,), False),   # a randomised exercise: see derivtutor.course.variants
}

#: Kind-specific fields: name -> (accepted types, required). The backprop and
#: descent kinds validate their own fields in their checker modules.
KIND_FIELDS = {
    "derivative": {"function": ((str,), True), "variable": ((str,), True),
                   "order": ((int,), False)},   # the N-th derivative, 1..5 (default 1)
    "identity": {
        "lhs": ((str,), True),
        "rhs": ((str,), True),
        "variable": ((str,), True),
        "must_use": ((list,), False),   # function names the answer must be written with
    },
    "value": {
        "expected": ((str, int, float), True),
        "function": ((str,), False),
        "variable": ((str,), False),
        "at": ((dict,), False),
        "tolerance": ((int, float), False),  # relative; a decimal answer this close counts
    },
    "backprop": {},
    "descent": {},
    "matrix": {"expression": ((str,), True), "wrt": ((str,), True), "shapes": ((str,), False)},
    "derivation": {
        "function": ((str,), True),
        "variable": ((str,), True),
        "target": ((str,), False),          # the form the last line must reach (identity-style)
        "must_use": ((list,), False),
        "definitions": ((dict,), False),    # name -> formula the lines may use (seed 004: z = sigmoid(q))
        "prefix_credit": ((int, float), False),
        "answer_credit": ((int, float), False),
    },
    "lab": {"lab": ((dict,), True)},   # the spec; derivtutor.lab.spec validates it
    "gradient": {"function": ((str,), True), "variables": ((list,), True)},   # components in this order
    "implicit": {"equation": ((str,), True), "variable": ((str,), True), "dependent": ((str,), True)},
}

LANGUAGES = ("en", "ru")
DIFFICULTIES = (1, 2, 3)
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class ExerciseError(ValueError):
    """A bank file that does not follow the schema; the message names the file and field."""


@dataclass(frozen=True)
class Exercise:
    """One exercise; ``data`` keeps every field of the file (kind-specific ones included)."""

    id: str
    kind: str
    topic: str
    difficulty: int
    points: float
    title: dict
    prompt: dict
    hints: tuple = ()
    partial_credit: dict = field(default_factory=dict)
    require_simplified: bool = False
    data: dict = field(default_factory=dict, repr=False, compare=False)
    path: str = ""

    def get(self, name: str, default=None):
        """A kind-specific field, e.g. ``exercise.get("function")``."""
        return self.data.get(name, default)

    def text(self, what: str, lang: str = "en") -> str:
        """The title or prompt in ``lang``: ``exercise.text("prompt", "ru")``."""
        return getattr(self, what)[lang]


def default_dir() -> Path:
    """Where the bank lives: $DERIVTUTOR_EXERCISES, else the repository's ``exercises/``,
    else the copy installed with the package (``derivtutor.bank``), else ./exercises."""
    env = os.environ.get("DERIVTUTOR_EXERCISES")
    if env:
        return Path(env)
    beside_package = Path(__file__).resolve().parents[2] / "exercises"
    if beside_package.is_dir():
        return beside_package
    installed = Path(__file__).resolve().parents[1] / "bank"
    if installed.is_dir():
        return installed
    return Path.cwd() / "exercises"


def _check_type(where: str, name: str, value, types: tuple) -> None:
    # bool is an int in Python; a difficulty of `true` is still a mistake.
    if isinstance(value, bool) and bool not in types:
        raise ExerciseError(f"{where}: field '{name}' must be {_type_names(types)}, not a boolean")
    if not isinstance(value, types):
        raise ExerciseError(f"{where}: field '{name}' must be {_type_names(types)}, got {type(value).__name__}")


def _type_names(types: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", dict: "a table", list: "an array"}
    return " or ".join(names[t] for t in types)


def _check_fields(where: str, data: dict, spec: dict) -> None:
    for name, (types, required) in spec.items():
        if name not in data:
            if required:
                raise ExerciseError(f"{where}: missing required field '{name}'")
            continue
        _check_type(where, name, data[name], types)


def _check_languages(where: str, name: str, table: dict) -> None:
    for lang in LANGUAGES:
        text = table.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise ExerciseError(f"{where}: '{name}' needs a non-empty '{lang}' text")


def validate(data: dict, where: str = "<exercise>") -> Exercise:
    """Check one parsed file against the schema and build the Exercise.

    >>> validate({"id": "a"}, "a.toml")
    Traceback (most recent call last):
    ...
    derivtutor.course.bank.ExerciseError: a.toml: missing required field 'kind'
    """
    _check_fields(where, data, COMMON_FIELDS)
    kind = data["kind"]
    if kind not in KIND_FIELDS:
        raise ExerciseError(f"{where}: unknown kind '{kind}'; expected one of {', '.join(KIND_FIELDS)}")
    _check_fields(where, data, KIND_FIELDS[kind])
    if not data["id"] or not set(data["id"]) <= _ID_CHARS:
        raise ExerciseError(f"{where}: id '{data['id']}' may use only a-z, 0-9, '-', '_' and '.'")
    if data["difficulty"] not in DIFFICULTIES:
        raise ExerciseError(f"{where}: difficulty must be 1, 2 or 3, got {data['difficulty']}")
    if not data["points"] > 0:
        raise ExerciseError(f"{where}: points must be positive, got {data['points']}")
    _check_languages(where, "title", data["title"])
    _check_languages(where, "prompt", data["prompt"])
    for number, hint in enumerate(data.get("hints", []), start=1):
        if not isinstance(hint, dict):
            raise ExerciseError(f"{where}: hint {number} must be a table with 'en' and 'ru'")
        _check_languages(where, f"hint {number}", hint)
    for code, fraction in data.get("partial_credit", {}).items():
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
            raise ExerciseError(f"{where}: partial_credit '{code}' must be a number from 0 to 1")
    exercise = Exercise(
        id=data["id"], kind=kind, topic=data["topic"], difficulty=data["difficulty"],
        points=float(data["points"]), title=MappingProxyType(dict(data["title"])),
        prompt=MappingProxyType(dict(data["prompt"])), hints=tuple(data.get("hints", ())),
        partial_credit=dict(data.get("partial_credit", {})),
        require_simplified=data.get("require_simplified", False), data=data, path=where,
    )
    return _randomised(exercise, where) if "parameters" in data else exercise


def _randomised(exercise: Exercise, where: str) -> Exercise:
    """A parameterised file: its table and templates checked, shown as its default variant."""
    from derivtutor.course import variants

    try:
        table = variants.parameter_values(where, exercise.data["parameters"])
        variants.constraints(where, exercise.data["parameters"])
        texts = [exercise.data.get("function", ""), *variants.texts(exercise.data)]
        unknown = sorted({m.group(1) for t in texts for m in variants.SLOT.finditer(t)} - set(table) - {"function"})
        if unknown:
            raise ExerciseError(f"{where}: template slot(s) {', '.join(unknown)} name no parameter")
        return variants.base_exercise(exercise)
    except variants.VariantError as exc:
        raise ExerciseError(str(exc)) from None


def load_file(path: str | os.PathLike) -> Exercise:
    """Read and validate one exercise file; the id must match the file name."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseError(f"{path.name}: not valid TOML: {exc}") from None
    exercise = validate(data, path.name)
    if exercise.id != path.stem:
        raise ExerciseError(f"{path.name}: id '{exercise.id}' must match the file name '{path.stem}'")
    return replace(exercise, path=str(path))


def load_exercises(dir: str | os.PathLike | None = None) -> dict[str, Exercise]:  # noqa: A002
    """Every exercise in ``dir`` (default: ``default_dir()``), keyed by id, in id order.

    >>> "sigmoid-derivative" in load_exercises()
    True
    """
    folder = Path(dir) if dir is not None else default_dir()
    if not folder.is_dir():
        raise ExerciseError(f"exercise folder not found: {folder}")
    bank = {}
    for path in sorted(folder.glob("*.toml")):
        exercise = load_file(path)
        bank[exercise.id] = exercise
    return dict(sorted(bank.items()))


def find_exercise(id: str, dir: str | os.PathLike | None = None) -> Exercise:  # noqa: A002
    """The exercise with this id; KeyError if the bank has none.

    >>> find_exercise("table-sin").topic
    'table'
    """
    bank = load_exercises(dir)
    if id not in bank:
        raise KeyError(id)
    return bank[id]


def checker_for(kind: str):
    """The check function for ``kind``, imported on first use from KIND_CHECKERS."""
    try:
        target = KIND_CHECKERS[kind]
    except KeyError:
        raise ExerciseError(f"no checker for kind '{kind}'") from None
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def check_exercise(exercise: Exercise, answer: str, lang: str = "en", syntax: str = "auto",
                   timeout: float | None = None):
    """Grade one answer to ``exercise`` with its kind's checker; returns a CheckResult.

    ``syntax`` (auto | plain | latex) and ``timeout`` (seconds) reach the checkers
    that take them; others get their defaults.

    >>> check_exercise(find_exercise("table-sin"), "cos(x)").verdict
    'correct'
    """
    checker = checker_for(exercise.kind)
    options = {"syntax": syntax, "timeout": timeout}
    taken = _parameters(checker)
    extra = {k: v for k, v in options.items() if k in taken and v is not None and (k, v) != ("syntax", "auto")}
    return checker(exercise, answer, lang=lang, **extra)


@functools.lru_cache(maxsize=64)
def _parameters(checker) -> frozenset:
    """The checker's parameter names (cached: ``inspect.signature`` costs 0.1 ms an answer)."""
    try:
        return frozenset(inspect.signature(checker).parameters)
    except (TypeError, ValueError):
        return frozenset()
