"""The calculus options of ``derivtutor check``: --order, --gradient (with --vars), --implicit.

    derivtutor check --function "x^3" --order 2 --answer "6x"
    derivtutor check --function "x^2 y" --gradient --answer "(2xy, x^2)"
    derivtutor check --function "x^2+y^2=1" --implicit y --answer "-x/y"
"""
from __future__ import annotations

MODES = ("order", "gradient", "implicit")


def register_options(p) -> None:
    p.add_argument("--order", type=int, metavar="N", help="the answer is the derivative of order N (1 to 5)")
    p.add_argument("--gradient", action="store_true",
                   help="the answer is the gradient: (a, b), [a, b] or \\begin{pmatrix}...\\end{pmatrix}")
    p.add_argument("--vars", help="with --gradient: the variables, comma-separated (default: all, by name)")
    p.add_argument("--implicit", metavar="Y", help="the function is an equation F = G; the answer is dY/d(--var)")


def chosen(args) -> list[str]:
    return [m for m in MODES if getattr(args, m, None) not in (None, False)]


def check_mode(args, usage):
    """A CheckResult for the chosen mode, or the exit code ``usage(args, code, text, ...)`` returned."""
    from derivtutor.catalogue import message
    from derivtutor.input.parsing import ParseError
    from derivtutor.steps.implicit import ImplicitError

    modes = chosen(args)
    if len(modes) > 1 or args.exercise:
        return usage(args, "calculus.cli.one-mode", message("calculus.cli.one-mode", args.lang))
    if args.order is not None and not 1 <= args.order <= 5:
        return usage(args, "calculus.cli.bad-order", message("calculus.cli.bad-order", args.lang, order=args.order))
    try:
        return _check(args, modes[0])
    except ParseError as err:
        text = message("check.cli.bad-function", args.lang, reason=err.render(args.lang))
        return usage(args, err.code, text, args.function, err.position)
    except ImplicitError as err:
        return usage(args, err.code, message(err.code, args.lang, y=args.implicit, x=args.var or "x"))
    except ValueError:
        names = args.vars or args.implicit or args.var
        return usage(args, "calculus.cli.bad-vars", message("calculus.cli.bad-vars", args.lang, names=names))


def _check(args, mode: str):
    from derivtutor.steps.engine import variable_symbol

    if mode == "gradient":
        from derivtutor.checking.vectors import check_gradient

        names = None if args.vars is None else [variable_symbol(n.strip()).name for n in args.vars.split(",")]
        return check_gradient(args.function, args.answer, names, syntax=args.syntax, lang=args.lang)
    if mode == "implicit":
        from derivtutor.checking.implicit import check_implicit

        x = args.var or "x"  # F(x, y) = 0: x unless --var names the other variable
        variable_symbol(args.implicit)
        variable_symbol(x)
        return check_implicit(args.function, args.answer, x, args.implicit, syntax=args.syntax, lang=args.lang)
    from derivtutor.checking.orders import check_order
    from derivtutor.cli.diff import function_variable

    var = function_variable(args)  # as diff finds it, refused where diff refuses
    if isinstance(var, int):
        return var
    return check_order(args.function, args.answer, variable_symbol(var).name, args.order,
                       syntax=args.syntax, lang=args.lang)
