"""derivtutor diff EXPR: the derivative with every step explained (text, LaTeX, Markdown, JSON)."""
from __future__ import annotations

import sys

from derivtutor.cli.common import EXIT_OK, OnceAction, add_json_flag, add_lang_flag, fail, print_json
from derivtutor.cli.diff_modes import chosen, register_options, run_mode

#: Seconds one derivation may take before it is abandoned.
TIME_LIMIT = 20.0


def register(subparsers) -> None:
    p = subparsers.add_parser("diff", help="differentiate step by step")
    p.add_argument("expr", help="the function, in plain text or LaTeX (e.g. 'arctg^2 x^3')")
    p.add_argument("--var", action=OnceAction, help="the variable (default: the expression's only variable)")
    p.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text")
    p.add_argument("--detail", choices=("brief", "full"), default="full",
                   help="brief: top-level steps only; full: every substep (default)")
    p.add_argument("--standalone", action="store_true", help="with --format latex: a whole document")
    register_options(p)   # --order, --gradient, --hessian, --jacobian, --vars, --implicit
    add_lang_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.catalogue import message
    from derivtutor.input.parsing import ParseError, parse
    from derivtutor.steps.engine import differentiate

    fmt = "json" if args.json else args.format
    if chosen(args):
        return run_mode(args, fmt, render, TIME_LIMIT, pick_variable)
    try:
        expr = parse(args.expr, decimal_comma=args.lang == "ru")
    except ParseError as err:
        return fail(args, err.code, err.render(args.lang), args.expr, err.position)
    note_decimal_comma(args, args.expr)
    var = pick_variable(args, expr)
    if isinstance(var, int):
        return var
    try:
        with time_limit(TIME_LIMIT):
            derivation = differentiate(expr, var)
            output = render(derivation, fmt, args)
    except TimeLimitExceeded:
        code = "steps.cli.timeout"
        return fail(args, code, message(code, args.lang, seconds=TIME_LIMIT))
    if fmt == "json":
        print_json(output)
    else:
        print(output)
    return EXIT_OK


def note_decimal_comma(args, text: str) -> None:
    """On stderr, how a Russian decimal comma was read (stdout stays the derivation)."""
    from derivtutor.catalogue import message
    from derivtutor.input.parsing import decimal_comma_reading

    read = decimal_comma_reading(text) if args.lang == "ru" else None
    if read is not None:
        print(message("parse.decimal-comma", args.lang, text=read), file=sys.stderr)


def pick_variable(args, expr):
    """The --var name, or the expression's only variable; an exit code on a usage error."""
    from derivtutor.catalogue import message
    from derivtutor.steps.engine import variable_symbol

    if args.var is not None:
        try:
            return variable_symbol(args.var)
        except ValueError:
            code = "steps.cli.bad-var"
            return fail(args, code, message(code, args.lang, name=args.var))
    names = sorted(s.name for s in expr.free_symbols)
    if len(names) > 1:
        code = "steps.cli.need-var"
        return fail(args, code, message(code, args.lang, names=", ".join(names)))
    return None


def render(derivation, fmt: str, args):
    if fmt == "json":
        return derivation.to_dict(args.lang, args.detail)
    if fmt == "latex":
        return derivation.to_latex(args.lang, args.detail, standalone=args.standalone)
    if fmt == "markdown":
        return derivation.to_markdown(args.lang, args.detail)
    return derivation.to_text(args.lang, args.detail)


def function_variable(args):
    """--var, or the function's only variable found and refused exactly as ``diff`` does
    (an exit code when there are several); x for a constant function."""
    from derivtutor.input.parsing import parse

    if args.var is not None:
        return args.var
    expr = parse(args.function)  # the teacher's text, read as check_answer reads it
    var = pick_variable(args, expr)
    if isinstance(var, int):
        return var
    names = sorted(s.name for s in expr.free_symbols)
    return names[0] if names else "x"
