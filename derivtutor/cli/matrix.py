"""derivtutor matrix EXPR --wrt VAR: a matrix gradient with steps and the shape of everything.

    derivtutor matrix "||Xw - y||^2" --wrt w
    derivtutor matrix "||Xw - y||^2" --wrt w --shapes "X=n,d; w=d; y=n" --check --json
    derivtutor matrix "logsumexp(Wx) - y^T W x" --wrt W --layout numerator --format latex
"""
from __future__ import annotations

from derivtutor.cli.common import EXIT_INCORRECT, EXIT_OK, add_json_flag, add_lang_flag, fail, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser("matrix", help="matrix calculus: the gradient of a scalar matrix expression, with steps",
                              description="Derive the gradient of a scalar matrix expression step by step, with "
                                          "the shape of every quantity. Lower-case letters are vectors, upper-case "
                                          "matrices, Greek names scalars, unless --shapes says otherwise.")
    p.add_argument("expression", help="e.g. '||Xw - y||^2' or '\\|Xw - y\\|^2'")
    p.add_argument("--wrt", required=True, help="the variable, e.g. w")
    p.add_argument("--shapes", help='shapes, e.g. "X=n,d; w=d; y=n" (a scalar: lam=1)')
    p.add_argument("--layout", choices=("denominator", "numerator"), default="denominator",
                   help="denominator (the gradient has the shape of the variable; default) or numerator")
    p.add_argument("--check", action="store_true", help="compare with central finite differences")
    p.add_argument("--seed", type=int, default=0, help="seed of the random shapes and values of --check")
    p.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text")
    add_json_flag(p)
    add_lang_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.catalogue import message
    from derivtutor.matrix import report
    from derivtutor.matrix.api import matrix_gradient
    from derivtutor.matrix.nodes import MatrixError

    try:
        with time_limit(10.0):
            g = matrix_gradient(args.expression, args.wrt, args.shapes, layout=args.layout)
            check = g.check(seed=args.seed) if args.check else None
    except MatrixError as exc:
        return fail(args, exc.code, exc.message(args.lang), args.expression, exc.position)
    except TimeLimitExceeded:
        return fail(args, "check.timeout", message("check.timeout", args.lang))
    if args.json or args.format == "json":
        print_json(report.as_dict(g, args.lang, check))
    elif args.format == "latex":
        print(report.as_latex(g, args.lang))
    elif args.format == "markdown":
        print(report.as_markdown(g, args.lang, check))
    else:
        print(report.as_text(g, args.lang, check))
    return EXIT_INCORRECT if check is not None and not check.passed else EXIT_OK
