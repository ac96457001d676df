"""The one message catalogue: every student-facing sentence, in English and Russian.

Sentences live as data in ``derivtutor/locale/*.toml``; one file per topic, one
table per stable code, each with an ``en`` and an ``ru`` template::

    [parse.unknown-function]
    en = "Unknown function '{name}'."
    ru = "Неизвестная функция «{name}»."

Codes are unique across all files; a duplicate is an error at load time.

>>> message("parse.empty", "en")
'The answer is empty.'
"""
from __future__ import annotations

import string
import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
_LOCALE_DIR = Path(__file__).with_name("locale")


class CatalogueError(LookupError):
    """A code or language that the catalogue does not have."""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All entries, keyed by code, loaded once from the locale files."""
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(_LOCALE_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for code, entry in _flatten(data):
            if code in entries:
                raise CatalogueError(f"message code {code!r} is defined twice ({path.name})")
            entries[code] = entry
    return entries


def _flatten(table: dict, prefix: str = ""):
    """Yield (dotted code, {lang: template}) for every leaf entry of a TOML table."""
    for key, value in table.items():
        code = f"{prefix}{key}"
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()) and "en" in value:
            yield code, value
        elif isinstance(value, dict):
            yield from _flatten(value, code + ".")
        else:
            raise CatalogueError(f"message {code!r} must be a table with 'en' and 'ru'")


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise CatalogueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


def template(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The raw template for ``code`` in ``lang``."""
    check_language(lang)
    try:
        return catalogue()[code][lang]
    except KeyError:
        raise CatalogueError(f"no message {code!r} in language {lang!r}") from None


def message(code: str, lang: str = DEFAULT_LANGUAGE, **fields) -> str:
    """The sentence for ``code`` in ``lang``, with ``{field}`` placeholders filled.

    >>> message("parse.unknown-function", "ru", name="foo")
    'Неизвестная функция «foo».'
    """
    return template(code, lang).format(**fields)


def placeholders(code: str, lang: str) -> set[str]:
    """The field names a template uses (for tests that both languages agree)."""
    return {name for _, name, _, _ in string.Formatter().parse(template(code, lang)) if name}


def format_points(value: float) -> str:
    """Points as short, stable text: at most 4 decimals, no trailing zeros."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
