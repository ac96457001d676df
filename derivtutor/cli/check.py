"""derivtutor check: is a student's derivative right, and if not, what went wrong?

    derivtutor check --function "tg x^2" --answer "2x/cos^2 x^2"
    derivtutor check table-sin --answer "cos x" --json
"""
from __future__ import annotations

from derivtutor.cli.common import (EXIT_INCORRECT, EXIT_INVALID, EXIT_OK, add_json_flag, add_lang_flag, caret_lines, error_json, print_json)

from derivtutor.cli.check_modes import check_mode, chosen, register_options

EXIT_CODES = {"correct": EXIT_OK, "incorrect": EXIT_INCORRECT, "invalid": EXIT_INVALID}


def register(subparsers) -> None:
    p = subparsers.add_parser("check", help="check an answer: verdict, mistake diagnosis, counterexample")
    p.add_argument("exercise", nargs="?", help="an exercise id from the bank (instead of --function)")
    p.add_argument("--function", help="the function to differentiate (plain text or LaTeX)")
    p.add_argument("--var", default="x", help="the variable (default: x)")
    p.add_argument("--answer", required=True, help="the student's answer")
    p.add_argument("--syntax", choices=("auto", "plain", "latex"), default="auto",
                   help="how to read the answer (default: auto)")
    register_options(p)   # --order, --gradient, --vars, --implicit (derivtutor.cli.check_modes)
    add_lang_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from derivtutor.catalogue import message

    if args.exercise and args.function:
        return _usage(args, "check.cli.both", message("check.cli.both", args.lang))
    if not args.exercise and not args.function:
        return _usage(args, "check.cli.need-function", message("check.cli.need-function", args.lang))
    if chosen(args):
        result = check_mode(args, _usage)
    else:
        result = _check_exercise(args) if args.exercise else _check_function(args)
    if isinstance(result, int):
        return result
    _print_result(args, result)
    return EXIT_CODES[result.verdict]


def _check_function(args):
    from derivtutor.catalogue import message
    from derivtutor.checking.checker import check_answer
    from derivtutor.input.parsing import ParseError

    try:
        return check_answer(args.function, args.answer, args.var, syntax=args.syntax, lang=args.lang)
    except ParseError as err:
        text = message("check.cli.bad-function", args.lang, reason=err.render(args.lang))
        return _usage(args, err.code, text, args.function, err.position)
    except ValueError:
        return _usage(args, "check.cli.bad-var", message("check.cli.bad-var", args.lang, name=args.var))


def _check_exercise(args):
    from derivtutor.catalogue import message
    from derivtutor.course.bank import check_exercise, find_exercise

    try:
        exercise = find_exercise(args.exercise)
    except KeyError:
        code = "check.cli.unknown-exercise"
        return _usage(args, code, message(code, args.lang, id=args.exercise))
    return check_exercise(exercise, args.answer, lang=args.lang, syntax=args.syntax)


def _usage(args, code: str, text: str, source: str | None = None, position: int | None = None) -> int:
    if args.json:
        print_json(error_json(code, text, position))
    else:
        print(text)
        if source is not None and position is not None:
            print(caret_lines(source, position))
    return EXIT_INVALID


def _print_result(args, result) -> None:
    from derivtutor.catalogue import message

    if args.json:
        print_json(result.to_dict())
        return
    print(f"{message(f'check.cli.verdict.{result.verdict}', args.lang)}: {result.message}")
    position = getattr(result, "position", None)
    if result.verdict == "invalid" and position is not None:
        print(caret_lines(args.answer, position))
    if result.score is not None:
        print(message("check.cli.score", args.lang, score=f"{result.score:g}"))
