"""The calculus options of ``derivtutor diff``: --order, --gradient, --hessian, --jacobian, --implicit.

    derivtutor diff "x^3 sin x" --order 3
    derivtutor diff "x^2 y" --gradient --vars x,y --json
    derivtutor diff "x^2 y" --hessian
    derivtutor diff "x y, x + y" --jacobian
    derivtutor diff "x^2 + y^2 = 1" --implicit y
"""
from __future__ import annotations

from derivtutor.cli.common import EXIT_OK, fail, print_json

MODES = ("order", "gradient", "hessian", "jacobian", "implicit")


def register_options(p) -> None:
    p.add_argument("--order", type=int, metavar="N", help="the derivative of order N (1 to 5), each order explained")
    p.add_argument("--gradient", action="store_true", help="the gradient: one explained partial per variable")
    p.add_argument("--hessian", action="store_true", help="the Hessian matrix of second partial derivatives")
    p.add_argument("--jacobian", action="store_true", help="the Jacobian of a vector function 'f1, f2, ...'")
    p.add_argument("--vars", help="variables of --gradient/--hessian/--jacobian, comma-separated (default: all)")
    p.add_argument("--implicit", metavar="Y", help="dY/dx for an equation F = G (x from --var, default x)")


def chosen(args) -> list[str]:
    """The calculus modes asked for (an empty list: an ordinary derivative)."""
    return [m for m in MODES if getattr(args, m, None) not in (None, False)]


def run_mode(args, fmt: str, render, time_limit_seconds: float, pick_variable) -> int:
    """Build the asked-for result, render it like a Derivation, print it; the exit code.

    ``render(result, fmt, args)`` and ``pick_variable(args, expr)`` are the diff command's own.
    """
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.catalogue import message
    from derivtutor.input.parsing import ParseError
    from derivtutor.steps.implicit import ImplicitError

    modes = chosen(args)
    if len(modes) > 1:
        return fail(args, "calculus.cli.one-mode", message("calculus.cli.one-mode", args.lang))
    if args.order is not None and not 1 <= args.order <= 5:
        code = "calculus.cli.bad-order"
        return fail(args, code, message(code, args.lang, order=args.order))
    try:
        with time_limit(time_limit_seconds):
            result = _build(args, modes[0], pick_variable)
            if isinstance(result, int):
                return result
            output = render(result, fmt, args)
    except ParseError as err:
        return fail(args, err.code, err.render(args.lang), args.expr, err.position)
    except ImplicitError as err:
        return fail(args, err.code, message(err.code, args.lang, y=args.implicit, x=args.var or "x"))
    except TimeLimitExceeded:
        code = "steps.cli.timeout"
        return fail(args, code, message(code, args.lang, seconds=time_limit_seconds))
    if fmt == "json":
        print_json(output)
    else:
        print(output)
    return EXIT_OK


def _variables(args):
    """The --vars names as a tuple of strings, None when not given, or an exit code."""
    from derivtutor.catalogue import message
    from derivtutor.steps.engine import variable_symbol

    if args.vars is None:
        return None
    names = tuple(n.strip() for n in args.vars.split(","))
    try:
        for n in names:
            variable_symbol(n)
    except ValueError:
        return fail(args, "calculus.cli.bad-vars", message("calculus.cli.bad-vars", args.lang, names=args.vars))
    return names


def _build(args, mode: str, pick_variable):
    from derivtutor.catalogue import message
    from derivtutor.input.parsing import parse
    from derivtutor.input.split import parse_vector
    from derivtutor.steps import multivariate as mv
    from derivtutor.steps.implicit import implicit_text

    if mode == "implicit":
        if _bad_name(args.implicit) or (args.var is not None and _bad_name(args.var)):
            return fail(args, "steps.cli.bad-var", message("steps.cli.bad-var", args.lang, name=args.implicit))
        if "=" not in args.expr:
            code = "calculus.cli.need-equation"
            return fail(args, code, message(code, args.lang))
        return implicit_text(args.expr, args.var or "x", args.implicit)
    names = _variables(args)
    if isinstance(names, int):
        return names
    if mode == "jacobian":
        components = parse_vector(args.expr, variables=names)
        if len(components) < 2:
            return fail(args, "calculus.cli.need-vector", message("calculus.cli.need-vector", args.lang))
        return mv.jacobian(components, names)
    expr = parse(args.expr, variables=names)
    if mode == "order":
        var = pick_variable(args, expr)
        if isinstance(var, int):
            return var
        return mv.higher_order(expr, var if var is not None else _only_variable(expr), args.order)
    return (mv.gradient if mode == "gradient" else mv.hessian)(expr, names)


def _only_variable(expr):
    from sympy import Symbol

    names = sorted(expr.free_symbols, key=lambda s: s.name)
    return names[0] if names else Symbol("x")


def _bad_name(name) -> bool:
    from derivtutor.steps.engine import variable_symbol

    try:
        variable_symbol(name)
    except ValueError:
        return True
    return False
