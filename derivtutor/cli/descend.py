"""``derivtutor descend``: the gradient-descent lab (tables, learning-rate study, plots, data mode).

    derivtutor descend "w^2 + 12" --start w=5 --lr 0.1 --eps 0.01
    derivtutor descend "w^2 + 12" --start w=5 --lr 0.01,0.1,0.9,1.1 --plot lr.png
    derivtutor descend "(x-3)^2 + 2(y+2)^2" --start x=0,y=0 --plot contour.png
    derivtutor descend --data linear --batch full,1,32 --epochs 20 --plot curves.png

The command only reads arguments and formats results; the work is done by
``derivtutor.descent.lab`` (and ``descent_data`` for ``--data``).
"""
from __future__ import annotations

import re

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json

#: Upper bounds that keep one command cheap on a shared machine.
MAX_ITER_LIMIT = 100_000
MAX_RATES = 8

_NAME = re.compile(r"[A-Za-z_\u0370-\u03ff][A-Za-z0-9_{}\u0370-\u03ff]*")


class _InputError(Exception):
    """A bad argument: a catalogue code, its fields, and where in which text it is."""

    def __init__(self, code: str, source: str | None = None, position: int | None = None, **fields):
        super().__init__(code)
        self.code, self.source, self.position, self.fields = code, source, position, fields


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "descend", help="gradient descent, step by step, with plots",
        description="Run gradient descent w_{k+1} = w_k - lr * dL/dw on a loss, or on generated data with --data.",
    )
    p.add_argument("expr", nargs="?", help='the loss, e.g. "w^2 + 12" or "(x-3)^2 + 2(y+2)^2"')
    p.add_argument("--start", action="append", default=[], metavar="NAME=VALUE",
                   help="start point, e.g. w=5 or x=0,y=0 (repeatable)")
    p.add_argument("--lr", default="0.1", help="learning rate, or a comma list for a study (default 0.1)")
    p.add_argument("--eps", default="0.01", help="stop when |L_{k+1} - L_k| < eps (default 0.01)")
    p.add_argument("--max-iter", type=int, default=1000, help="at most this many steps (default 1000)")
    p.add_argument("--syntax", choices=("auto", "plain", "latex"), default="auto", help="how to read EXPR")
    p.add_argument("--plot", metavar="FILE.png", help="save a picture (needs the plot extra)")
    p.add_argument("--all-rows", action="store_true", help="print every row of long tables")
    p.add_argument("--steps", action="store_true", help="explain each partial derivative step by step")
    data = p.add_argument_group("data mode")
    data.add_argument("--data", choices=("linear", "logistic"), help="fit a model on generated data")
    data.add_argument("--n", type=int, default=200, help="number of data points (default 200)")
    data.add_argument("--batch", default="full,1,32", help="batch sizes: full, 1 (SGD), 32, ... (default full,1,32)")
    data.add_argument("--epochs", type=int, default=20, help="passes over the data (default 20)")
    data.add_argument("--seed", type=int, default=0, help="random seed of data and shuffling (default 0)")
    add_json_flag(p)
    add_lang_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        if args.data:
            if args.expr:
                raise _InputError("descent.expr-and-data")
            return _run_data(args)
        if not args.expr:
            raise _InputError("descent.needs-expr")
        return _run_descent(args)
    except _InputError as exc:
        return _fail(args, exc.code, exc.source, exc.position, **exc.fields)


def _run_descent(args) -> int:
    from derivtutor.descent import lab as descent
    from derivtutor.budget import TimeLimitExceeded

    expr = _parse_expr(args.expr, args.syntax)
    start = _parse_start(args.start)
    rates = [_number(text) for text in args.lr.split(",")]
    if len(rates) > MAX_RATES:
        raise _InputError("descent.too-many-rates", limit=MAX_RATES)
    if not 1 <= args.max_iter <= MAX_ITER_LIMIT:
        raise _InputError("descent.max-iter-limit", limit=MAX_ITER_LIMIT)
    _check_plotting(args)
    try:
        traces = descent.study(expr, start, rates, _number(args.eps), args.max_iter)
    except descent.DescentError as exc:
        raise _InputError(exc.code, **exc.fields) from None
    except TimeLimitExceeded:
        raise _InputError("descent.too-slow") from None
    from derivtutor.descent import render

    if args.json:
        print_json(render.study_dict(traces) if len(traces) > 1 else traces[0].to_dict())
    elif len(traces) > 1:
        print(render.study_text(traces, args.lang, args.steps))
    else:
        print(render.run_text(traces[0], args.lang, args.all_rows, args.steps))
    if args.plot:
        return _save_plot(args, lambda path: _plotting().plot_traces(traces, path))
    return EXIT_OK


def _parse_expr(text: str, syntax: str):
    from derivtutor.input.parsing import ParseError, parse

    try:
        return parse(text, syntax=syntax)
    except ParseError as exc:
        raise _InputError(exc.code, text, exc.position, **exc.fields) from None


def _parse_start(items: list[str]) -> dict:
    """{name: exact number} from "w=5", "x=0,y=-2" (names read by the parser, so w_1 is w1)."""
    start = {}
    for item in items:
        for piece in filter(None, (p.strip() for p in item.split(","))):
            name, sep, value = piece.partition("=")
            if not sep or not _NAME.fullmatch(name.strip()):
                raise _InputError("descent.start-syntax", text=piece)
            symbol = _parse_expr(name.strip(), "auto")
            if not symbol.is_Symbol:
                raise _InputError("descent.start-syntax", text=piece)
            start[symbol.name] = _number(value)
    return start


def _number(text: str):
    """An exact real number from text ('0.1' is 1/10), through the safe parser."""
    from derivtutor.input.parsing import ParseError, parse_number

    try:
        return parse_number(text)
    except ParseError:
        raise _InputError("descent.bad-number", text=text.strip()) from None


def _plotting():
    from derivtutor.descent import plots as plotting

    return plotting


def _check_plotting(args) -> None:
    """Fail before any work when --plot is asked for and matplotlib is missing."""
    if not args.plot:
        return
    plotting = _plotting()
    try:
        plotting.require_matplotlib()
    except plotting.PlotUnavailable:
        raise _InputError(plotting.PlotUnavailable.code) from None


def _save_plot(args, draw) -> int:
    from derivtutor.catalogue import message

    try:
        path = draw(args.plot)
    except OSError as exc:
        return _fail(args, "descent.plot-failed", path=args.plot, reason=exc.strerror or str(exc))
    if not args.json:
        print(message("descent.plot-saved", args.lang, path=path))
    return EXIT_OK


def _fail(args, code: str, source: str | None = None, position: int | None = None, **fields) -> int:
    from derivtutor.catalogue import message

    return fail(args, code, message(code, args.lang, **fields), source, position)



# --- data mode -------------------------------------------------------------------

MAX_POINTS, MAX_EPOCHS = 100_000, 1000


def _run_data(args) -> int:
    from derivtutor.descent import data as descent_data
    from derivtutor.descent import render

    batches = _parse_batches(args.batch)
    if not (1 <= args.n <= MAX_POINTS and 1 <= args.epochs <= MAX_EPOCHS):
        raise _InputError("descent.data-bad-size", limit=MAX_POINTS)
    lr = _number(args.lr)
    if not lr > 0:
        raise _InputError("descent.bad-rate")
    _check_plotting(args)
    lr = float(lr)
    data, curves = descent_data.compare(args.data, batches, args.n, args.epochs, lr, args.seed)
    if args.json:
        print_json(render.data_dict(args.data, args.n, lr, args.epochs, args.seed, curves))
    else:
        print(render.data_text(args.data, lr, args.epochs, args.seed, data, curves, args.lang))
    if args.plot:
        labels = [render.variant_label(c, args.lang) for c in curves]
        title = f"{args.data} regression, n = {args.n}, lr = {render.fmt(lr)}"
        return _save_plot(args, lambda path: _plotting().plot_loss_curves(
            list(zip(labels, (c.losses for c in curves))), path, title))
    return EXIT_OK


def _parse_batches(text: str) -> list:
    batches = []
    for piece in (p.strip() for p in text.split(",")):
        if piece.lower() == "full":
            batches.append(None)
        elif piece.isdigit() and 1 <= int(piece) <= MAX_POINTS:
            batches.append(int(piece))
        else:
            raise _InputError("descent.data-bad-batch", text=piece)
    return batches
