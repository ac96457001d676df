"""What a pool worker does with one job: the CLI command's own ``run``, without the CLI around it.

A job is ``(command, fields)``: ``fields`` are the values of the command's options,
by their argparse names (``answer``, ``function``, ``var``...). The worker fills
them into the command's defaults (read once from the CLI's own parser, so a new
option's default comes along) and calls the command's ``run(args)`` with
``--json`` on, capturing what it prints: the JSON is the CLI's, byte for byte,
with no argv built, parsed or re-checked per request (one exception: a value the CLI
prints as the number ``Infinity`` or ``NaN``, which is not JSON to a browser, is
the string ``"Infinity"`` or ``"NaN"``). One path differs: a bank
exercise is checked against the bank the worker holds in memory (the CLI reads
the bank from disk on every ``check ID``), with the same library calls as
``derivtutor check ID --json``, and its JSON is made as ``print_json`` makes it
(``json.dumps`` with the same options) rather than printed and read back.

>>> (code, error, text), leave = answer(("parse", {"text": "sin x"}), {})
>>> code, error, json.loads(text)["expression"], leave
(0, False, 'sin(x)', False)
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from functools import lru_cache
from json.encoder import encode_basestring

#: The fields a job may set, per command (anything else is refused, so no job sets ``func``).
FIELDS = {
    "check": frozenset({"exercise", "function", "var", "answer", "lang", "student", "derivation"}),
    "parse": frozenset({"text", "syntax", "lang"}),
    "diff": frozenset({"expr", "var", "lang"}),
}
#: Placeholders for the positional arguments, to read a command's defaults from its parser.
_POSITIONAL = {"check": [], "parse": [""], "diff": [""]}
MAX_OUTPUT = 1 << 20   # characters of JSON a command may answer


@lru_cache(maxsize=None)
def defaults(command: str) -> dict:
    """The namespace ``derivtutor COMMAND --json`` starts from, as the CLI's parser gives it."""
    from derivtutor.cli import build_parser

    return vars(build_parser().parse_args([command, *_POSITIONAL[command], "--json"]))


def namespace(command: str, fields: dict) -> argparse.Namespace:
    unknown = set(fields) - FIELDS[command]
    if unknown:
        raise ValueError(f"fields {sorted(unknown)} are not options of {command}")
    return argparse.Namespace(**{**defaults(command), **{k: v for k, v in fields.items() if v is not None}})


def answer(job: tuple, bank: dict) -> tuple[tuple[int, bool, str], bool]:
    """((exit code, whether the JSON is an ``{"error": ...}``, the JSON text), whether the
    worker must leave: a check that stopped at its time limit may leave caches half-built,
    so its worker is replaced, as the grader's are).

    ``check`` with a ``derivation`` reads it as its standard input, as ``--derivation -`` does.
    """
    command, fields = job
    args = namespace(command, fields)
    out = io.StringIO()
    if _from_bank(command, args, bank) or _plain_check(command, args):
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            code, data = _bank_check(args, bank) if args.exercise else _function_check(args)
        if data is not None:
            text = print_json_text(data)
            if len(text) > MAX_OUTPUT:
                raise MemoryError("the answer is too large to send")
            return (int(code), "error" in data, text), _gave_up(data)
        return _printed(code, out.getvalue())  # the CLI's own error, printed
    stdin, sys.stdin = sys.stdin, io.StringIO(fields.get("derivation") or "")
    try:
        if fields.get("derivation") is not None:
            args.derivation = "-"
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            code = args.func(args)
    finally:
        sys.stdin = stdin
    return _printed(code, out.getvalue())


def _printed(code, text: str) -> tuple[tuple[int, bool, str], bool]:
    if len(text) > MAX_OUTPUT:
        raise MemoryError("the answer is too large to send")
    constants: list = []
    data = json.loads(text, parse_constant=lambda name: constants.append(name) or name)
    if constants:
        text = _strict(text)
    return (int(code), "error" in data, text), _gave_up(data)


def print_json_text(data) -> str:
    """What ``print_json(data)`` prints (``json.dumps(data, ensure_ascii=False, indent=2)`` and a
    newline), made about three times faster for the JSON types a result holds; anything else,
    and an Infinity or NaN (made strict as the CLI's text is), goes through json itself.

    >>> print_json_text({"a": [1, 2.5, None, True], "b": {}, "c": "ж"})
    '{\\n  "a": [\\n    1,\\n    2.5,\\n    null,\\n    true\\n  ],\\n  "b": {},\\n  "c": "ж"\\n}\\n'
    """
    try:
        return _indented(data, "\n") + "\n"
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        return _strict(text) if _has_constant(text) else text


def _has_constant(text: str) -> bool:
    constants: list = []
    json.loads(text, parse_constant=constants.append)
    return bool(constants)


def _indented(value, indent: str) -> str:
    """json's own encoder with indent=2, ensure_ascii=False and allow_nan=False, in its order of
    type tests (str, None, True, False, int, float, list or tuple, dict with str keys)."""
    if isinstance(value, str):
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in _INFINITE:
            raise ValueError("not strict JSON")
        return float.__repr__(value)
    inner = indent + "  "
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([_indented(item, inner) for item in value]) + indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + inner + ("," + inner).join([_encode_str(key) + ": " + _indented(item, inner)
                                                 for key, item in value.items()]) + indent + "}"
    raise TypeError(f"{type(value).__name__} is left to json")


_INFINITE = (float("inf"), float("-inf"))


def _encode_str(value) -> str:
    if not isinstance(value, str):
        raise TypeError("a key that is not a string is left to json")
    return encode_basestring(value)


def _strict(text: str) -> str:
    """The CLI prints an overflowing value as Infinity: not JSON to a browser, so a string here."""
    return json.dumps(json.loads(text, parse_constant=str), ensure_ascii=False, indent=2) + "\n"


def _gave_up(data: dict) -> bool:
    from derivtutor.grading.workers import GAVE_UP

    diagnosis = data.get("diagnosis") if isinstance(data, dict) else None
    return isinstance(diagnosis, (list, tuple)) and any(code in GAVE_UP for code in diagnosis)


def _from_bank(command: str, args, bank: dict) -> bool:
    return (command == "check" and args.exercise in bank and args.answer is not None and not args.function
            and getattr(args, "derivation", None) is None)


def _plain_check(command: str, args) -> bool:
    """``check --function F --answer A`` with none of the other modes (the CLI's _check_function)."""
    from derivtutor.cli.check_modes import chosen

    return (command == "check" and bool(args.function) and not args.exercise and args.answer is not None
            and getattr(args, "derivation", None) is None and not chosen(args))


def _function_check(args) -> tuple[int, dict | None]:
    """(exit code, the dict it prints) of ``derivtutor check --function F --answer A --json``
    (the CLI's run, _check_function and _print_result); (exit code, None) when the CLI
    printed an error of its own."""
    from derivtutor.cli.check import EXIT_CODES, _check_function

    result = _check_function(args)
    if isinstance(result, int):
        return result, None
    return EXIT_CODES[result.verdict], result.to_dict()


def _bank_check(args, bank: dict) -> tuple[int, dict]:
    """(exit code, the dict it prints) of ``derivtutor check ID --answer A --json`` on the bank in
    memory (the CLI's _check_exercise and _print_result)."""
    from derivtutor.cli.check import EXIT_CODES
    from derivtutor.cli.variant_flags import student_variant
    from derivtutor.course.bank import check_exercise

    exercise = student_variant(args, bank[args.exercise])  # a randomised exercise: this student's variant
    result = check_exercise(exercise, args.answer, lang=args.lang, syntax=args.syntax)
    return EXIT_CODES[result.verdict], result.to_dict()
