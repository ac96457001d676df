"""derivtutor check: is a student's derivative right, and if not, what went wrong?

    derivtutor check --function "tg x^2" --answer "2x/cos^2 x^2"
    derivtutor check table-sin --answer "cos x" --json
"""
from __future__ import annotations

from derivtutor.cli.common import (EXIT_INCORRECT, EXIT_INVALID, EXIT_OK, OnceAction, add_json_flag, add_lang_flag,
                                   caret_lines, error_json, print_json)

from derivtutor.cli.variant_flags import add_student_flags, student_variant

from derivtutor.cli.check_modes import check_mode, chosen, register_options

EXIT_CODES = {"correct": EXIT_OK, "incorrect": EXIT_INCORRECT, "invalid": EXIT_INVALID}


def register(subparsers) -> None:
    p = subparsers.add_parser("check", help="check an answer: verdict, mistake diagnosis, counterexample")
    p.add_argument("exercise", nargs="?", help="an exercise id from the bank (instead of --function)")
    p.add_argument("--function", help="the function to differentiate (plain text or LaTeX)")
    p.add_argument("--var", action=OnceAction,
                   help="the variable (default: the function's only variable, as diff finds it)")
    p.add_argument("--answer", help="the student's answer (or --derivation FILE)")
    p.add_argument("--syntax", choices=("auto", "plain", "latex"), default="auto",
                   help="how to read the answer (default: auto)")
    p.add_argument("--require-simplified", action="store_true",
                   help="a correct answer longer than the simplest form gets partial credit")
    register_options(p)   # --order, --gradient, --vars, --implicit (derivtutor.cli.check_modes)
    add_lang_flag(p)
    add_json_flag(p)
    from derivtutor.cli import check_derivation

    check_derivation.add_options(p)
    add_student_flags(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from derivtutor.catalogue import message

    if getattr(args, "derivation", None) is not None:
        from derivtutor.cli import check_derivation

        return check_derivation.run(args)
    if args.answer is None:
        return _usage(args, "derivation.cli.need-answer", message("derivation.cli.need-answer", args.lang))
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
        from derivtutor.cli.diff import function_variable

        var = function_variable(args)
        if isinstance(var, int):
            return var
        return check_answer(args.function, args.answer, var, syntax=args.syntax, lang=args.lang,
                            require_simplified=args.require_simplified)
    except ParseError as err:
        text = message("check.cli.bad-function", args.lang, reason=err.render(args.lang))
        return _usage(args, err.code, text, args.function, err.position)
    except ValueError:
        return _usage(args, "check.cli.bad-var", message("check.cli.bad-var", args.lang, name=args.var))


def _check_exercise(args):
    import dataclasses

    from derivtutor.catalogue import message
    from derivtutor.course.bank import check_exercise, find_exercise

    try:
        exercise = find_exercise(args.exercise)
    except KeyError:
        code = "check.cli.unknown-exercise"
        return _usage(args, code, message(code, args.lang, id=args.exercise))
    exercise = student_variant(args, exercise)  # a randomised exercise: this student's variant
    if args.require_simplified:
        exercise = dataclasses.replace(exercise, require_simplified=True)
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
