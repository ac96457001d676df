"""Thin argparse front end over the public API.

Each command lives in its own module that exposes ``register(subparsers)``
(adding its sub-parser with ``func=run``) and ``run(args) -> int``. Command
modules import nothing heavy at top level, so ``derivtutor --help`` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from functools import lru_cache

from derivtutor.cli.common import Parser as _Parser

#: Command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "parse",
    "diff",
    "identity",
    "check",
    "backprop",
    "graph",
    "matrix",
    "descend",
    "exercises",
    "grade",
    "gradescope",
    "worksheet",
    "serve",
    "lab",
    "report",
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("derivtutor")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@lru_cache(maxsize=1)  # building every sub-parser costs tens of ms; parsing does not change it
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derivtutor", description="Derivatives and backpropagation, step by step.")
    parser.add_argument("--version", action="version", version=f"derivtutor {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"derivtutor.cli.{name}").register(subparsers)
    return parser


#: Options whose value may start with '-' (an answer "-x/y"): argparse would read it as an option.
SIGNED_VALUE_OPTIONS = ("--answer", "--function")


def join_signed_values(argv: Sequence[str]) -> list[str]:
    """``--answer -x/y`` -> ``--answer=-x/y``, so that a leading minus sign is a value, not an option.

    >>> join_signed_values(["check", "--answer", "-x/y", "--json"])
    ['check', '--answer=-x/y', '--json']
    """
    out, i = [], 0
    while i < len(argv):
        token = argv[i]
        if token in SIGNED_VALUE_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-") \
                and not argv[i + 1].startswith("--"):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok/correct, 1 incorrect, 2 invalid/usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(join_signed_values(list(sys.argv[1:] if argv is None else argv)))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # output piped into `head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
