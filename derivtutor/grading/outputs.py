"""Putting outputs on disk whole or not at all, under names and in cells that cannot hurt.

- ``write_atomic``: a file goes through a temporary file in the same folder and
  ``os.replace``: after any interruption there is the old file or the new one.
- ``replace_folder``: a folder of results is written in full into a hidden
  temporary sibling, then renamed into place, so after any kill it is absent or
  complete. Leftover temporary siblings of dead runs are cleared.
- ``safe_file_name``: any student id gives a portable name of bounded length;
  a name that had to be cut ends with a hash of the whole id.
- ``safe_cell``: a CSV cell that a spreadsheet would run as a formula is
  neutralised with a leading apostrophe (OWASP, "CSV Injection").

>>> safe_cell("=HYPERLINK(1)"), safe_cell("ivanova"), safe_cell("-1")
("'=HYPERLINK(1)", 'ivanova', "'-1")
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Longest file name stem, in UTF-8 bytes (file systems allow 255).
MAX_NAME_BYTES = 100
#: Names Windows reserves whatever the extension.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
#: The file in a results folder that maps ids to file names; its presence marks the folder as ours.
INDEX_NAME = "index.csv"


def safe_cell(value) -> str:
    """``value`` as a CSV cell that no spreadsheet runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename.

    >>> import tempfile, os; folder = tempfile.mkdtemp()
    >>> write_atomic(os.path.join(folder, "g.csv"), "a,b\\n").read_text()
    'a,b\\n'
    """
    return write_atomic_with(path, lambda fh: fh.write(text))


def write_atomic_with(path: str | os.PathLike, write) -> Path:
    """Like ``write_atomic``, with ``write(fh)`` producing the text (so it can stream)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path


def safe_file_name(student: str) -> str:
    """A file name stem for a student id: letters, digits, '-', '_' and '.' kept, the rest '_'.

    >>> safe_file_name("ivanova a.")
    'ivanova_a.'
    >>> safe_file_name("../../etc")
    '_._.._etc'
    >>> name = safe_file_name("x" * 300); len(name), name[-13], name == safe_file_name("x" * 301)
    (100, '-', False)
    """
    name = re.sub(r"[^\w.-]", "_", student, flags=re.UNICODE).strip() or "_"
    name = "_" + name[1:] if name.startswith(".") else name
    if name.startswith("-"):  # neither a shell option nor a formula in the index
        name = "_" + name
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    cut = name.encode("utf-8")[: MAX_NAME_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{cut}-{digest}"


def unique_names(ids) -> dict:
    """id -> a file name stem, distinct even where file systems ignore case.

    >>> unique_names(["a/b", "a_b", "A_B"])
    {'a/b': 'a_b', 'a_b': 'a_b-2', 'A_B': 'A_B-3'}
    """
    names, used = {}, set()
    for student in ids:
        stem = name = safe_file_name(student)
        n = 2
        while name.lower() in used:
            name, n = f"{stem}-{n}", n + 1
        used.add(name.lower())
        names[student] = name
    return names


def replace_folder(folder: str | os.PathLike, fill) -> Path:
    """Build a folder with ``fill(temporary_path)`` and rename it to ``folder`` only when whole.

    An existing ``folder`` is replaced only if it is empty or a results folder of
    ours (it has an index file); anything else is refused with ``FileExistsError``.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(parent, folder.name)
    if folder.exists() and not (folder.is_dir() and (not any(folder.iterdir()) or (folder / INDEX_NAME).is_file())):
        raise FileExistsError(f"{folder} exists and is not a results folder; choose another --out")
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-{os.getpid()}-", dir=parent))
    try:
        fill(temp)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-{os.getpid()}-", dir=parent))
            os.replace(folder, old / "results")
            os.replace(temp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temp, folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return folder


def _clear_leftovers(parent: Path, name: str) -> None:
    """Remove the temporary siblings that runs killed before their rename left behind."""
    pattern = re.compile(rf"^\.{re.escape(name)}\.(?:tmp|old)-(\d+)-")
    for path in parent.iterdir():
        match = pattern.match(path.name)
        if match and path.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
