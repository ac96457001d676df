"""What every command shares: exit codes, the --json and --lang flags, output helpers."""
from __future__ import annotations

import json
import sys

#: Exit codes, defined once for every command.
EXIT_OK = 0          # success, or the answer is correct
EXIT_INCORRECT = 1   # the answer is incorrect
EXIT_INVALID = 2     # invalid input or usage


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def add_lang_flag(parser) -> None:
    parser.add_argument("--lang", choices=("en", "ru"), default="en", help="language of messages (default: en)")


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def error_json(code: str, message: str, position: int | None = None) -> dict:
    return {"error": {"code": code, "message": message, "position": position}}


def fail(args, code: str, text: str, source: str | None = None, position: int | None = None) -> int:
    """Report invalid input or usage and return EXIT_INVALID.

    With --json (or --format json) the error is {"error": {"code", "message", "position"}} on
    stdout; otherwise the sentence, and a caret under the fault when there is one, on stderr.
    """
    if getattr(args, "json", False) or getattr(args, "format", None) == "json":
        print_json(error_json(code, text, position))
    else:
        print(text, file=sys.stderr)
        if source is not None and position is not None:
            print(caret_lines(source, position), file=sys.stderr)
    return EXIT_INVALID


def caret_lines(text: str, position: int | None) -> str:
    """The input with a caret under character ``position`` (0-based)."""
    if position is None:
        return text
    line = text.replace("\n", " ").replace("\t", " ")
    return f"  {line}\n  {' ' * max(0, min(position, len(line)))}^"
