"""What every command shares: exit codes, the --json and --lang flags, output helpers."""
from __future__ import annotations

import argparse
import json
import sys

#: Exit codes, defined once for every command.
EXIT_OK = 0          # success, or the answer is correct
EXIT_INCORRECT = 1   # the answer is incorrect
EXIT_INVALID = 2     # invalid input or usage


class Parser(argparse.ArgumentParser):
    """argparse that reads ``-x^2`` as a value, not an option, and exits 2 on usage errors.

    Students start answers with a minus sign: ``check --answer -x^-2``, ``diff -x^2``.
    A single-dash word that is not one of the parser's options is a value (an
    expression or a negative number); ``--words`` are still options.
    """

    def _parse_optional(self, arg_string):
        if arg_string.startswith("-") and not arg_string.startswith("--") and len(arg_string) > 1 \
                and arg_string not in self._option_string_actions \
                and arg_string[:2] not in self._option_string_actions:
            return None
        return super()._parse_optional(arg_string)

    def exit(self, status=0, message=None):  # usage errors exit 2, as documented
        if message:
            self._print_message(message)
        raise SystemExit(EXIT_INVALID if status else 0)


class OnceAction(argparse.Action):
    """An option that may be given once: ``--var x --var y`` is a usage error, not a silent y."""

    def __call__(self, parser, namespace, values, option_string=None):
        seen = vars(namespace).setdefault("_given", {})
        if self.dest in seen:
            parser.error(f"{option_string} may be given once, not twice ({seen[self.dest]} and {values})")
        seen[self.dest] = values
        setattr(namespace, self.dest, values)


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
