"""ParseError: what was wrong with the input, where, under a stable code."""
from __future__ import annotations

from derivtutor.catalogue import message as _message


class ParseError(ValueError):
    """Invalid input: never a wrong answer, never scored.

    ``code`` is a stable catalogue code (``parse.unknown-function``), ``position``
    the 0-based character offset of the fault (or None), ``fields`` the values the
    message quotes. ``render(lang)`` gives the sentence in English or Russian.

    >>> err = ParseError("parse.unknown-function", 4, name="foo")
    >>> err.message, err.position
    ("Unknown function 'foo'.", 4)
    """

    def __init__(self, code: str, position: int | None = None, **fields):
        self.code = code
        self.position = position
        self.fields = fields
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.render("en")

    def render(self, lang: str = "en") -> str:
        return _message(self.code, lang, **self.fields)

    def to_dict(self, lang: str = "en") -> dict:
        return {"code": self.code, "message": self.render(lang), "position": self.position}
