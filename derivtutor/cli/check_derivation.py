"""``derivtutor check ... --derivation FILE``: a whole derivation checked line by line.

Not a command of its own: ``derivtutor.cli.check`` adds the options and calls
``run`` when ``--derivation`` is given. FILE is a path, or ``-`` for stdin.

    derivtutor check --function "tg(x^2)" --derivation work.txt
    derivtutor check derivation-sigmoid-identity --derivation - --json < work.tex

The exit code is the check's: 0 correct, 1 incorrect, 2 invalid (or usage).
"""
from __future__ import annotations

import sys

from derivtutor.cli.common import EXIT_INCORRECT, EXIT_INVALID, EXIT_OK, fail, print_json

EXIT_CODES = {"correct": EXIT_OK, "incorrect": EXIT_INCORRECT, "invalid": EXIT_INVALID}
FORMATS = ("text", "markdown", "latex")


def add_options(parser) -> None:
    parser.add_argument("--derivation", metavar="FILE",
                        help="check a whole derivation, one step a line, from FILE ('-' for stdin)")
    parser.add_argument("--derivation-format", choices=FORMATS, default="text",
                        help="with --derivation: the report's format (default: text)")


def run(args) -> int:
    from derivtutor.catalogue import message

    text = _read(args)
    if text is None:
        return fail(args, "derivation.cli.no-file", message("derivation.cli.no-file", args.lang, path=args.derivation))
    if args.exercise and args.function:
        return fail(args, "check.cli.both", message("check.cli.both", args.lang))
    if not args.exercise and not args.function:
        return fail(args, "check.cli.need-function", message("check.cli.need-function", args.lang))
    result = _check(args, text)
    if isinstance(result, int):
        return result
    _print(args, result)
    return EXIT_CODES[result.verdict]


def _read(args) -> str | None:
    if args.derivation == "-":
        return sys.stdin.read()
    try:
        with open(args.derivation, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None


def _check(args, text: str):
    from derivtutor.catalogue import message
    from derivtutor.derivation.checker import check_derivation
    from derivtutor.input.parsing import ParseError

    target = args.function
    if args.exercise:
        from derivtutor.course.bank import find_exercise

        try:
            target = find_exercise(args.exercise)
        except KeyError:
            return fail(args, "check.cli.unknown-exercise", message("check.cli.unknown-exercise", args.lang,
                                                                    id=args.exercise))
        if target.kind != "derivation" and target.get("function") is None:
            return fail(args, "derivation.cli.not-derivation", message("derivation.cli.not-derivation", args.lang,
                                                                  id=args.exercise))
    var = args.var
    if var is None and not args.exercise:  # found as `diff` finds it, refused where diff refuses
        from derivtutor.cli.diff import function_variable

        var = function_variable(args)
        if isinstance(var, int):
            return var
    try:
        return check_derivation(target, text, var or "x", syntax=args.syntax, lang=args.lang)
    except ParseError as err:
        text = message("check.cli.bad-function", args.lang, reason=err.render(args.lang))
        return fail(args, err.code, text, args.function, err.position)
    except ValueError:
        return fail(args, "check.cli.bad-var", message("check.cli.bad-var", args.lang, name=args.var))


def _print(args, result) -> None:
    from derivtutor.derivation.report import RENDERERS

    if args.json:
        print_json(result.to_dict())
    else:
        print(RENDERERS[args.derivation_format](result, args.lang))
