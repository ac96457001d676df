"""derivtutor backprop: derive a network's gradients symbolically, prove and check them.

    derivtutor backprop --layers 2,3,1 --scalar --check
    derivtutor backprop --layers 4,8,3 --activation tanh --loss ce --l2 0.01 --format latex --standalone
"""
from __future__ import annotations

from derivtutor.cli.common import EXIT_INCORRECT, EXIT_OK, add_json_flag, add_lang_flag, fail, print_json

FORMATS = ("text", "latex", "markdown", "json")


def register(subparsers) -> None:
    p = subparsers.add_parser("backprop", help="symbolic backpropagation through an MLP, proved and checked",
                              description="Derive dE/d(parameter) for an MLP in matrix form (and, with "
                                          "--scalar, the one-dimensional chain), prove and check it.")
    p.add_argument("--layers", default="2,3,1", help="widths, input first (default: 2,3,1, the course's net)")
    p.add_argument("--activation", default="sigmoid",
                   help="hidden activation(s): sigmoid, tanh, relu, linear; a comma list mixes them per layer")
    p.add_argument("--output", choices=("sigmoid", "tanh", "relu", "linear", "softmax"), default=None,
                   help="output activation (default: softmax with --loss ce, else sigmoid)")
    p.add_argument("--loss", choices=("mse", "ce", "bce"), default="mse",
                   help="1/2 |z - l|^2, softmax cross-entropy, or binary cross-entropy (with a sigmoid output)")
    p.add_argument("--mean", action="store_true", help="the loss is the mean over a batch of N samples (columns of x)")
    p.add_argument("--l2", type=float, default=None, metavar="LAMBDA", help="add lam (|W|^2 + |b|^2); its value for --check")
    p.add_argument("--names", default=None, help="comma list overriding x, a_k, z_k (per layer), W_k, b_k (per layer), l")
    p.add_argument("--scalar", action="store_true", help="also the one-dimensional case, factor by factor")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--standalone", action="store_true", help="with --format latex: a complete document")
    p.add_argument("--check", action="store_true", help="prove at a small instance and check numerically three ways")
    p.add_argument("--seed", type=int, default=0, help="seed of the numeric check's random point")
    add_json_flag(p)
    add_lang_flag(p)
    p.set_defaults(func=run)


def _spec(args):
    from derivtutor.backprop.network import NetworkSpec, SpecError

    try:
        layers = [int(n) for n in args.layers.split(",")]
    except ValueError:
        raise SpecError("backprop.bad-layers", layers=args.layers) from None
    activation = [a.strip() for a in args.activation.split(",")]
    names = [n.strip() for n in args.names.split(",")] if args.names else ()
    return NetworkSpec.build(layers, activation, args.output, args.loss, args.l2, names, args.mean)


def run(args) -> int:
    from derivtutor.backprop.network import SpecError, derive_backprop
    from derivtutor.backprop.gradcheck import check_gradients
    from derivtutor.backprop.document import render_latex, render_markdown, render_text, report_dict
    from derivtutor.backprop.scalar import scalar_chains
    from derivtutor.catalogue import message

    fmt = "json" if args.json else args.format
    try:
        spec = _spec(args)
        net = derive_backprop(spec)
        scalar = scalar_chains(spec) if args.scalar else None
    except SpecError as exc:
        text = message("backprop.error." + exc.code.split(".", 1)[1], args.lang, **exc.fields)
        return fail(args, exc.code, text)
    try:
        check = check_gradients(spec, seed=args.seed) if args.check else None
    except Exception as exc:  # noqa: BLE001 -- exit 1 means only "the check failed"
        return fail(args, "backprop.internal", message("backprop.error.internal", args.lang, error=type(exc).__name__))
    if fmt == "json":
        print_json(report_dict(net, scalar, check))
    elif fmt == "latex":
        print(render_latex(net, args.lang, scalar, check, args.seed, args.standalone), end="")
    elif fmt == "markdown":
        print(render_markdown(net, args.lang, scalar, check, args.seed), end="")
    else:
        print(render_text(net, args.lang, scalar, check, args.seed), end="")
    return EXIT_OK if check is None or check.passed else EXIT_INCORRECT
