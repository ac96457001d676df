"""Parameterised exercises: every student gets a variant of their own.

An exercise file may declare parameters and constraints; its ``function``,
``title``, ``prompt`` and hints are then templates with ``{{name}}`` slots::

    function = '{{f}}({{a}}*x)'
    [parameters]
    a = { range = [2, 9], default = 3 }        # the integers 2..9
    f = { choices = ["sin", "cos"], default = "sin" }
    constraints = ["a != 5"]

Parameter values are substituted into the template *text*, which then goes
through the safe parser (``derivtutor.input.parsing.parse``) like any bank
text; ``{{function}}`` in a prompt is the LaTeX of the parsed function, in the
course's notation. The reference answer is derived by the step engine.

The generator enumerates every assignment in a fixed order and drops, by
construction, the constraint breakers, the degenerate ones (a derivative that
is 0, a function undefined on the sampling domain) and duplicates (two
assignments that give the same function). A student's variant is a SHA-256 of
(course seed, exercise id, student id) modulo the number of variants: the same
on every run and machine. The label of a variant (``a=3,f=sin``) names its
values, so a worker rebuilds the variant from the label alone.

>>> from derivtutor.course.bank import find_exercise
>>> ex = find_exercise("chain-sin-3x")
>>> variant_label(ex, "ivanova", seed="demo") == variant_label(ex, "ivanova", seed="demo")
True
>>> instantiate(ex, "a=4,f=cos").get("function")
'cos(4*x)'
"""
from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import replace
from functools import lru_cache
from collections.abc import Mapping
from types import MappingProxyType

from derivtutor.course.parameters import (SLOT, VariantError, constraints, fill, holds,  # noqa: F401
                                          label_of, parameter_values, parse_text)

SEED_ENV = "DERIVTUTOR_COURSE_SEED"
DEFAULT_SEED = "derivtutor"
#: Where a variant must be defined: the sampling domain of the bank's tests and checker lattice.
DOMAIN_POINTS = (0.3, 0.5, 0.7, 1.5, 2.0, 2.5)


def course_seed(seed: str | None = None) -> str:
    """``seed`` if given, else $DERIVTUTOR_COURSE_SEED, else a fixed default."""
    if seed not in (None, ""):
        return str(seed)
    return os.environ.get(SEED_ENV) or DEFAULT_SEED


def is_randomised(exercise) -> bool:
    return bool(exercise.data.get("parameters"))


def values_of(exercise, label: str) -> dict:
    """The values a label names, checked against the exercise's parameter table."""
    table = parameter_values(exercise.id, exercise.data["parameters"])
    values = {}
    for part in label.split(","):
        name, _, text = part.partition("=")
        if name not in table:
            raise VariantError(f"{exercise.id}: no parameter '{name}' (label {label!r})")
        value = next((v for v in table[name] if str(v) == text), None)
        if value is None:
            raise VariantError(f"{exercise.id}: {text!r} is not a value of parameter '{name}'")
        values[name] = value
    if set(values) != set(table):
        raise VariantError(f"{exercise.id}: label {label!r} must give every parameter")
    return values


def default_values(exercise) -> dict:
    """The values of the exercise shown without a student: each parameter's default (else its first value)."""
    table = parameter_values(exercise.id, exercise.data["parameters"])
    return {name: exercise.data["parameters"][name].get("default", values[0]) for name, values in table.items()}


# ----- building a variant ----------------------------------------------------------------

def instantiate(exercise, label_or_values) -> object:
    """The exercise with every template filled for one variant; its ``answer`` is the step engine's.

    The template stays in ``data["template"]`` so the variant can be rebuilt from the base.
    """
    if not is_randomised(exercise):
        return exercise
    base = exercise.data.get("template", exercise.data)
    values = values_of(exercise, label_or_values) if isinstance(label_or_values, str) else dict(label_or_values)
    return _build(exercise, base, values, derive_answer=True)


def _build(exercise, base: dict, values: dict, derive_answer: bool):
    data = {**base, "template": base, "variant": label_of(values), "values": dict(values)}
    function = fill(base["function"], values) if "function" in base else None
    if function is not None:
        data["function"] = function
        if derive_answer or "answer" not in base:
            data["answer"] = reference_text(function, base.get("variable", "x"))
    title = {lang: fill(text, values) for lang, text in base["title"].items()}
    hints = tuple({lang: fill(text, values) for lang, text in hint.items()} for hint in base.get("hints", ()))
    prompt = FilledTexts(base["prompt"], values, function)
    return replace(exercise, title=MappingProxyType(title), prompt=prompt, hints=hints, data=data)


class FilledTexts(Mapping):
    """A prompt's texts, filled on first use: ``{{function}}`` needs the parser and the
    LaTeX printer, which loading the whole bank should not pay for.

    >>> FilledTexts({"en": "y = {{function}}, a = {{a}}"}, {"a": 2}, "x^2")["en"]
    'y = x^{2}, a = 2'
    """

    def __init__(self, templates: dict, values: dict, function: str | None):
        self._templates, self._values, self._function, self._done = dict(templates), dict(values), function, {}

    def __getitem__(self, lang: str) -> str:
        if lang not in self._done:
            template, slots = self._templates[lang], dict(self._values)
            if self._function is not None and "function" in {m.group(1) for m in SLOT.finditer(template)}:
                slots["function"] = _function_latex(self._function, lang)
            self._done[lang] = fill(template, slots)
        return self._done[lang]

    def __iter__(self):
        return iter(self._templates)

    def __len__(self) -> int:
        return len(self._templates)

    def __repr__(self) -> str:
        return repr(dict(self))


def texts(base: dict):
    yield from base["title"].values()
    yield from base["prompt"].values()
    for hint in base.get("hints", ()):
        yield from hint.values()


@lru_cache(maxsize=4096)
def _function_latex(function: str, lang: str = "en") -> str:
    from derivtutor.render.latex import course_latex

    return course_latex(parse_text(function), lang)


@lru_cache(maxsize=4096)
def reference_text(function: str, variable: str) -> str:
    """The step engine's derivative of a bank text, as plain text the parser reads back."""
    return _plain_text(_reference(function, variable))


@lru_cache(maxsize=4096)
def _reference(function: str, variable: str):
    from derivtutor.checking.mistakes import rule_derivative
    from derivtutor.steps.engine import variable_symbol

    # the checker's own rule tree and result (one derivation per variant in a worker, not two)
    return rule_derivative(parse_text(function), variable_symbol(variable))


def _plain_text(expr) -> str:
    from derivtutor.render.text import course_str

    return course_str(expr)


def base_exercise(exercise):
    """The exercise as loaded from its file: the default variant (with the fixed answer it states)."""
    return _build(exercise, exercise.data, default_values(exercise), derive_answer=False)


# ----- enumeration -----------------------------------------------------------------------

_LABELS: dict = {}


def variant_labels(exercise) -> tuple:
    """Every admissible variant's label, in the generator's fixed order (cached per template)."""
    if not is_randomised(exercise):
        return ()
    key = (exercise.id, _key(exercise.data.get("template", exercise.data)))
    if key not in _LABELS:
        _LABELS[key] = tuple(label for label, _ in _enumerate(exercise))
    return _LABELS[key]


def _key(base: dict) -> str:
    return repr(sorted((k, repr(v)) for k, v in base.items() if k not in ("template", "variant", "values")))


def _enumerate(exercise):
    """Yield (label, function) for each admissible assignment, without duplicates.

    Two assignments are duplicates when their functions agree at every domain point
    (so 2^(4x) and 4^(2x) are one variant, not two)."""
    base = exercise.data.get("template", exercise.data)
    table = parameter_values(exercise.id, base["parameters"])
    rules = constraints(exercise.id, base["parameters"])
    seen = set()
    for combo in itertools.product(*table.values()):
        values = dict(zip(table, combo))
        if not all(holds(values, rule) for rule in rules):
            continue
        if "function" not in base:
            yield label_of(values), label_of(values)
            continue
        signature = _signature(base["function"], base.get("variable", "x"), values)
        if signature is None or signature in seen:
            continue
        seen.add(signature)
        yield label_of(values), fill(base["function"], values)


def _signature(template: str, variable: str, values: dict):
    """The function's values on the sampling domain, rounded; None when the variant is
    degenerate: undefined or not real at a domain point, or constant there (derivative 0).

    The template is parsed once per choice of names, with each integer parameter a
    symbol, and evaluated with numpy for every assignment of the integers."""
    import numpy

    names = tuple(sorted((k, v) for k, v in values.items() if isinstance(v, str)))
    numbers = tuple(sorted(k for k, v in values.items() if not isinstance(v, str)))
    evaluate = _evaluator(template, variable, names, numbers)
    with numpy.errstate(all="ignore"):
        result = numpy.asarray(evaluate(*(values[k] for k in numbers)), dtype=complex) * numpy.ones(len(DOMAIN_POINTS))
    if not numpy.all(numpy.isfinite(result)) or numpy.max(numpy.abs(result.imag)) > 1e-9:
        return None
    real = result.real
    if numpy.ptp(real) <= 1e-9 * max(1.0, float(numpy.max(numpy.abs(real)))):
        return None
    return tuple(float(f"{v:.9g}") for v in real)


@lru_cache(maxsize=1024)
def _evaluator(template: str, variable: str, names: tuple, numbers: tuple):
    """A numpy function of the integer parameters: the template at the domain points."""
    import numpy
    import sympy

    from derivtutor.checking.numeric import Unsupported, float_compile, float_eval
    from derivtutor.input.parsing import parse

    slots = {**dict(names), **{k: f"Kparam{k}" for k in numbers}}
    text = fill(template, {k: (f"({v})" if k in numbers else v) for k, v in slots.items()})
    expr = parse(text, syntax="plain", variables=[*(f"Kparam{k}" for k in numbers), variable])
    x = sympy.Symbol(variable)
    params = [sympy.Symbol(f"Kparam{k}") for k in numbers]
    others = sorted(expr.free_symbols - {x, *params}, key=lambda s: s.name)
    points = numpy.array(DOMAIN_POINTS, dtype=complex)
    # Other variables (w, b, y of an ML loss) take domain values shifted against x's.
    at = {x: points, **{s: numpy.roll(points, i + 1) for i, s in enumerate(others)}}
    try:  # the checker's float tier: closures, built in microseconds (lambdify prints and compiles source)
        compiled = float_compile(expr, (x, *others, *params))
    except Unsupported:
        function = sympy.lambdify([x, *others, *params], expr.rewrite(sympy.exp), modules="numpy")
        return lambda *numbers_given: function(*(at[s] for s in [x, *others]), *numbers_given)
    return lambda *numbers_given: float_eval(
        compiled, [at[s] for s in (x, *others)] + [numpy.full(len(points), n, dtype=complex) for n in numbers_given])


# ----- a student's variant ---------------------------------------------------------------

def variant_index(seed: str, exercise_id: str, student: str, count: int) -> int:
    """SHA-256 of (seed, exercise id, student) modulo ``count``: the same everywhere.

    >>> variant_index("s", "table-power", "ivanova", 25)
    11
    """
    digest = hashlib.sha256("\x1f".join((str(seed), exercise_id, student)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def variant_label(exercise, student: str, seed: str | None = None) -> str | None:
    """The label of ``student``'s variant of ``exercise`` (None for a fixed exercise)."""
    return pick_label(variant_labels(exercise), exercise.id, student, seed)


def pick_label(labels: tuple, exercise_id: str, student: str, seed: str | None = None) -> str | None:
    """``student``'s label among an exercise's ``labels`` (None when there are none): for a
    caller that holds the labels of a whole class's exercises, as the grader does.

    >>> pick_label(("a=1", "a=2"), "e", "ivanova", "s") in ("a=1", "a=2"), pick_label((), "e", "ivanova")
    (True, None)
    """
    if not labels:
        return None
    return labels[variant_index(course_seed(seed), exercise_id, str(student), len(labels))]


def for_student(exercise, student: str | None, seed: str | None = None):
    """``student``'s variant of ``exercise``; the exercise itself when fixed or with no student."""
    if not student or not is_randomised(exercise):
        return exercise
    return instantiate(exercise, variant_label(exercise, student, seed))


def variant_of(exercise, label: str | None):
    """The variant a label names (the exercise itself for None or a fixed exercise)."""
    return instantiate(exercise, label) if label and is_randomised(exercise) else exercise


def student_variants(rows, bank: dict, seed: str | None = None) -> list:
    """For each (student, exercise) row, the label of that student's variant, or None
    (a fixed exercise, or a row with no student id: graded on the default variant).

    >>> from types import SimpleNamespace as Row
    >>> from derivtutor.course.bank import load_exercises
    >>> student_variants([Row(student="s1", exercise="table-const")], load_exercises())
    [None]
    """
    seed = course_seed(seed)
    return [variant_label(bank[row.exercise], row.student, seed) if row.exercise in bank and row.student else None
            for row in rows]
