"""derivtutor parse TEXT: show how the input was understood ("your answer was read as")."""
from __future__ import annotations

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser("parse", help="show how an expression is read")
    p.add_argument("text", help="the expression, in plain text or LaTeX")
    p.add_argument("--syntax", choices=("auto", "plain", "latex"), default="auto")
    add_lang_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import sympy

    from derivtutor.input.parsing import ParseError, detect_syntax, parse

    syntax = detect_syntax(args.text) if args.syntax == "auto" else args.syntax
    try:
        expr = parse(args.text, syntax=syntax)
    except ParseError as err:
        return report_parse_error(args, args.text, err)
    if args.json:
        print_json({
            "input": args.text,
            "syntax": syntax,
            "expression": str(expr),
            "latex": sympy.latex(expr),
            "symbols": sorted(s.name for s in expr.free_symbols),
        })
    else:
        print(f"sympy:  {expr}")
        print(f"latex:  {sympy.latex(expr)}")
        print(sympy.pretty(expr, use_unicode=True))
    return EXIT_OK


def report_parse_error(args, text: str, err) -> int:
    """Print a ParseError in --lang, with a caret line (or as JSON); returns EXIT_INVALID."""
    return fail(args, err.code, err.render(args.lang), text, err.position)
