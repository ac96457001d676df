"""derivtutor graph EXPR --at x=1,w1=2,w0=1: forward and backward pass, node by node.

    derivtutor graph "1 + e^(w1 x + w0)" --at x=1,w1=2,w0=1
    derivtutor graph "1 + e^(w1 x + w0)" --at x=1,w1=2,w0=1 --format dot | dot -Tpng > graph.png
"""
from __future__ import annotations

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json

TIME_LIMIT = 5.0  # seconds of SymPy work on one student expression


def register(subparsers) -> None:
    p = subparsers.add_parser("graph", help="computational graph: forward values and backward gradients",
                              description="Split EXPR into staged nodes and print the forward values and "
                                          "the backward gradients node by node.")
    p.add_argument("expression", help="the expression, e.g. '1 + e^(w1 x + w0)'")
    p.add_argument("--at", required=True, help="the point, e.g. x=1,w1=2,w0=1")
    p.add_argument("--format", choices=("text", "json", "dot"), default="text")
    p.add_argument("--syntax", choices=("auto", "plain", "latex"), default="auto")
    add_json_flag(p)
    add_lang_flag(p)
    p.set_defaults(func=run)


def parse_point(text: str) -> dict:
    """'x=1,w1=2' -> {"x": 1.0, "w1": 2.0}; names and values go through the safe parser."""
    import sympy

    from derivtutor.backprop.graph import GraphError
    from derivtutor.input.parsing import ParseError, parse

    point = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            symbol, number = parse(name.strip(), syntax="plain"), parse(value.strip(), syntax="plain")
        except ParseError:
            raise GraphError("graph.error.bad-point", text=text) from None
        if not sep or not isinstance(symbol, sympy.Symbol) or not number.is_number or not number.is_real:
            raise GraphError("graph.error.bad-point", text=text)
        point[symbol.name] = float(number)
    if not point:
        raise GraphError("graph.error.bad-point", text=text)
    return point


def run(args) -> int:
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.catalogue import message
    from derivtutor.backprop.graph import GraphError, build_graph, to_dict, to_dot
    from derivtutor.input.parsing import ParseError, parse

    fmt = "json" if args.json else args.format
    try:
        with time_limit(TIME_LIMIT):
            point = parse_point(args.at)
            graph = build_graph(parse(args.expression, syntax=args.syntax), point)
    except ParseError as err:
        return fail(args, err.code, err.render(args.lang), args.expression, err.position)
    except (GraphError, TimeLimitExceeded) as err:
        code = getattr(err, "code", "graph.error.timeout")
        return fail(args, code, message(code, args.lang, **getattr(err, "fields", {})))
    if fmt == "json":
        print_json(to_dict(graph))
    elif fmt == "dot":
        print(to_dot(graph), end="")
    else:
        print(render_text(graph, args.lang), end="")
    return EXIT_OK


def render_text(graph, lang: str) -> str:
    """Two tables: forward (node, operation, value) and backward (gradient, rule, value)."""
    from derivtutor.catalogue import message

    forward = [(n.name, n.text if n.op != "input" else message("graph.input", lang), f"{n.value:.6g}") for n in graph.variables + graph.nodes]
    backward = [("d" + s.name, s.text, f"{s.value:.6g}") for s in graph.backward]
    out = []
    for heading, columns, rows in (("graph.heading.forward", "graph.columns.forward", forward),
                                   ("graph.heading.backward", "graph.columns.backward", backward)):
        rows = [tuple(message(columns, lang).split(" | "))] + rows
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        out += [message(heading, lang) + ":"]
        out += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows] + [""]
    return "\n".join(out)
