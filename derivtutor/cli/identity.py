"""derivtutor identity LHS [MIDDLE ...] RHS: a checked chain of rewrite steps from one side to the other.

A left side written ``d/dx f`` or ``f'`` (or any left side with ``--diff``) is a
derivative: ``derivtutor identity "sigma(x)'" "sigma(x)(1 - sigma(x))"``.
``--softmax N`` shows d s_i / d a_j = s_i (delta_ij - s_j) for N inputs instead.
Exit 0 when a chain is found, 1 when none is, 2 on invalid input.
"""
from __future__ import annotations

import re

from derivtutor.cli.common import EXIT_INCORRECT, EXIT_OK, OnceAction, add_json_flag, add_lang_flag, fail, print_json

_D_PREFIX = re.compile(r"^\s*d\s*/\s*d([A-Za-z][A-Za-z0-9_]*)\s+(?=\S)")
TIME_LIMIT = 60.0


def register(subparsers) -> None:
    p = subparsers.add_parser("identity", help="derive an identity step by step (e.g. sigma' = sigma(1 - sigma))")
    p.add_argument("sides", nargs="*", metavar="SIDE", help="left side, optional middle sides, right side")
    p.add_argument("--var", action=OnceAction, help="the variable (default: the left side's only variable)")
    p.add_argument("--diff", action="store_true", help="the left side is to be differentiated")
    p.add_argument("--softmax", type=int, metavar="N", help="the softmax Jacobian entry for N inputs")
    p.add_argument("--i", type=int, default=1, help="with --softmax: the output index i (default 1)")
    p.add_argument("--j", type=int, default=2, help="with --softmax: the input index j (default 2)")
    p.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text")
    p.add_argument("--standalone", action="store_true", help="with --format latex: a whole document")
    add_lang_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.catalogue import message

    try:
        with time_limit(TIME_LIMIT):
            proof = _softmax(args) if args.softmax is not None else _prove(args)
    except TimeLimitExceeded:
        code = "steps.cli.timeout"
        return fail(args, code, message(code, args.lang, seconds=TIME_LIMIT))
    if isinstance(proof, int):
        return proof
    fmt = "json" if args.json else args.format
    if fmt == "json":
        print_json(proof.to_dict(args.lang))
    elif fmt == "latex":
        print(proof.to_latex(args.lang, standalone=args.standalone))
    elif fmt == "markdown":
        print(proof.to_markdown(args.lang))
    else:
        print(proof.to_text(args.lang))
    return EXIT_OK if proof.found else EXIT_INCORRECT


def _softmax(args):
    from derivtutor.catalogue import message
    from derivtutor.identity.derive import softmax_identity

    try:
        return softmax_identity(args.softmax, args.i, args.j)
    except ValueError:
        code = "identity.cli.softmax-range"
        return fail(args, code, message(code, args.lang))


def _prove(args):
    from derivtutor.catalogue import message
    from derivtutor.cli.diff import pick_variable
    from derivtutor.identity.derive import prove_identity
    from derivtutor.input.parsing import ParseError, parse

    if len(args.sides) < 2:
        code = "identity.cli.need-sides"
        return fail(args, code, message(code, args.lang))
    first, derivative = args.sides[0], args.diff
    prefix = _D_PREFIX.match(first)
    if prefix:
        args.var = args.var or prefix.group(1)
        first, derivative = first[prefix.end():], True
    elif first.rstrip().endswith("'"):
        first, derivative = first.rstrip()[:-1], True
    sides = []
    for text in [first, *args.sides[1:]]:
        try:
            sides.append(parse(text))
        except ParseError as err:
            return fail(args, err.code, err.render(args.lang), text, err.position)
    var = pick_variable(args, sides[0])
    if isinstance(var, int):
        return var
    return prove_identity(sides[0], sides[-1], var, derivative=derivative, via=tuple(sides[1:-1]))
