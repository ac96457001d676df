"""A class file's bytes as numbered text lines: which encoding, and no line lost.

The encoding is chosen once per file, in this order:

1. a UTF-8 byte-order mark: ``utf-8`` (the mark dropped); a UTF-16 mark: ``utf-16``;
2. the whole file is valid UTF-8: ``utf-8``;
3. it is not, every line decodes as cp1251 and no non-ASCII line is valid UTF-8
   (a Russian spreadsheet's export): ``cp1251``;
4. otherwise ``utf-8`` and each line that is not UTF-8 is flagged with its
   number; its text is read with replacement characters so the row can still be
   placed, but it is never graded as written.

Lines are read lazily, so memory does not grow with the file; a line longer
than ``max_line_bytes`` is cut there and flagged.

>>> import io
>>> lines = read_lines(io.BytesIO("a,b\\nмир\\n".encode("cp1251")))
>>> lines.encoding, [(l.number, l.text, l.error) for l in lines]
('cp1251', [(1, 'a,b\\n', ''), (2, 'мир\\n', '')])
"""
from __future__ import annotations

import codecs
import io
from dataclasses import dataclass

#: Longest physical line read in full (a 200 kB answer fits; a runaway one is cut).
MAX_LINE_BYTES = 4 * 1024 * 1024
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Line:
    """One physical line: its 1-based number, its text (with its newline) and why it is unreadable."""

    number: int
    text: str
    error: str = ""


def sniff_encoding(fh, max_line_bytes: int = MAX_LINE_BYTES) -> str:
    """The encoding of a binary file (rules 1-4 above); the file is rewound.

    >>> sniff_encoding(io.BytesIO(b"\\xef\\xbb\\xbfx")), sniff_encoding(io.BytesIO("ё".encode("utf-16")))
    ('utf-8-sig', 'utf-16')
    """
    start = fh.read(3)
    fh.seek(0)
    for bom, name in _BOMS:
        if start.startswith(bom):
            return name
    bad_utf8 = good_utf8 = bad_cp1251 = 0
    for raw in iter(lambda: fh.readline(max_line_bytes), b""):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            good_utf8 += 1
        except UnicodeDecodeError:
            bad_utf8 += 1
        try:
            raw.decode("cp1251")
        except UnicodeDecodeError:
            bad_cp1251 += 1
    fh.seek(0)
    return "cp1251" if bad_utf8 and not good_utf8 and not bad_cp1251 else "utf-8"


class read_lines:
    """Iterate the numbered ``Line``s of a binary file; ``encoding`` says how it was read."""

    def __init__(self, fh, max_line_bytes: int = MAX_LINE_BYTES):
        self.fh, self.limit = fh, max_line_bytes
        self.encoding = sniff_encoding(fh, max_line_bytes)

    def __iter__(self):
        if self.encoding == "utf-16":
            yield from self._wide_lines()
            return
        decode = codecs.getdecoder(self.encoding)
        number, first = 0, True
        for raw in iter(lambda: self.fh.readline(self.limit), b""):
            number += 1
            error = ""
            if len(raw) >= self.limit and not raw.endswith(b"\n"):
                error = f"longer than {self.limit} bytes"
                self._skip_rest()
            if first and self.encoding == "utf-8-sig":
                raw, first = raw.removeprefix(codecs.BOM_UTF8), False
            try:
                text = decode(raw)[0]
            except UnicodeDecodeError as exc:
                text = raw.decode(self.encoding, errors="replace")
                error = error or f"not {self.encoding} text (byte 0x{raw[exc.start]:02X} at column {exc.start + 1})"
            yield Line(number, text, error)

    def _skip_rest(self) -> None:
        for chunk in iter(lambda: self.fh.readline(self.limit), b""):
            if chunk.endswith(b"\n"):
                return

    def _wide_lines(self):
        text = io.TextIOWrapper(self.fh, encoding="utf-16", newline="", errors="strict")
        number = 0
        try:
            for line in iter(lambda: text.readline(self.limit), ""):
                number += 1
                yield Line(number, line, "" if len(line) < self.limit or line.endswith("\n")
                           else f"longer than {self.limit} characters")
        except UnicodeDecodeError as exc:
            # UTF-16 has no line boundaries to resynchronise on: the rest is reported as one.
            yield Line(number + 1, "", f"not UTF-16 text from here on ({exc.reason})")
        finally:
            text.detach()


def encoding_name(encoding: str) -> str:
    """The name shown to the instructor.

    >>> encoding_name("utf-8-sig")
    'UTF-8 (with BOM)'
    """
    return {"utf-8-sig": "UTF-8 (with BOM)", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1251": "cp1251"}[encoding]
