"""Where a class's rows, checks and graded items wait: a private SQLite file on disk.

A class of half a million rows would not fit in a small machine's memory as
Python objects; here it costs a few megabytes of cache whatever its size. The
file is SQLite's own temporary database (``connect("")``): nobody else can open
it and it is gone when the connection closes, or the process dies.

>>> store = Store()
>>> store.add_items([{"student": "a", "exercise": "e", "line": 2, "source": "s", "status": "graded"}])
>>> [item["line"] for item in store.items()]
[2]
"""
from __future__ import annotations

import json
import sqlite3

_SCHEMA = """
CREATE TABLE rows (seq INTEGER PRIMARY KEY, student TEXT, exercise TEXT, answer TEXT, syntax TEXT,
                   source TEXT, line INTEGER, task_key TEXT, norm TEXT, superseded INTEGER DEFAULT 0);
CREATE TABLE problems (seq INTEGER PRIMARY KEY, source TEXT, line INTEGER, code TEXT, fields TEXT,
                       student TEXT, exercise TEXT);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, task_key TEXT, norm TEXT, syntax TEXT,
                    status TEXT, verdict TEXT, score REAL, max_score REAL, diagnosis TEXT, message TEXT,
                    expected TEXT, reason TEXT, variant TEXT, graded INTEGER, not_graded TEXT,
                    UNIQUE (task_key, norm, syntax));
CREATE TABLE items (student TEXT, exercise TEXT, line INTEGER, source TEXT, status TEXT,
                    counts INTEGER DEFAULT 0, score REAL DEFAULT 0, max_score REAL DEFAULT 0,
                    graded INTEGER DEFAULT 1, data TEXT);
"""
#: Rows written per transaction.
BATCH = 5000
#: The rows a later row of the same student and exercise replaces, with the line that replaces them.
_LATER = """SELECT seq, source, line, student, exercise, kept_line FROM (
    SELECT seq, source, line, student, exercise, FIRST_VALUE(line) OVER w AS kept_line, ROW_NUMBER() OVER w AS rank
    FROM rows WINDOW w AS (PARTITION BY student, exercise ORDER BY source DESC, line DESC)) WHERE rank > 1"""


class Store:
    """The tables of one grading run (rows, problems, tasks, items)."""

    def __init__(self):
        self.db = sqlite3.connect("")
        self.db.executescript(_SCHEMA)

    def insert(self, table: str, columns: tuple, values) -> None:
        """Insert ``values`` (an iterable of tuples) in batches."""
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        batch = []
        for value in values:
            batch.append(value)
            if len(batch) >= BATCH:
                self.db.executemany(sql, batch)
                batch.clear()
        if batch:
            self.db.executemany(sql, batch)
        self.db.commit()

    def supersede(self) -> None:
        """Mark every answer but a student's last to an exercise superseded, with a warning naming both lines."""
        db = self.db
        db.execute(f"CREATE TEMP TABLE later AS {_LATER}")  # the window is worked out once, in its own order
        db.execute("UPDATE rows SET superseded = 1 WHERE seq IN (SELECT seq FROM later)")
        db.execute("""INSERT INTO problems (source, line, code, fields, student, exercise)
            SELECT source, line, 'grading.duplicate', json_array(json_array('student', student),
                   json_array('exercise', exercise), json_array('later', kept_line)), student, exercise
            FROM later ORDER BY rowid""")
        db.execute("DROP TABLE later")
        db.commit()

    def query(self, sql: str, args: tuple = ()):
        """Rows of ``sql``, fetched a batch at a time."""
        cursor = self.db.execute(sql, args)
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                return
            yield from batch

    def add_items(self, items) -> None:
        """Items as dicts with at least student, exercise, line, source and status (and, for the
        totals, score, max_score and graded)."""
        self.insert("items", ("student", "exercise", "line", "source", "status", "score", "max_score", "graded", "data"),
                    ((i["student"], i["exercise"], i["line"], i["source"], i["status"], i.get("score", 0.0),
                      i.get("max_score", 0.0), int(i.get("graded", True)), json.dumps(i, ensure_ascii=False))
                     for i in items))

    def index(self) -> None:
        self.db.execute("CREATE INDEX IF NOT EXISTS items_order ON items (student, exercise, line, source)")
        self.db.commit()

    def items(self, student: str | None = None, counted_only: bool = False):
        """Item dicts in (student, exercise, line, source) order, each with ``counts``."""
        where = [w for w, on in (("student = ?", student is not None), ("counts = 1", counted_only)) if on]
        sql = (f"SELECT data, counts FROM items {'WHERE ' + ' AND '.join(where) if where else ''} "
               "ORDER BY student, exercise, line, source")
        for data, counts in self.query(sql, () if student is None else (student,)):
            yield {**json.loads(data), "counts": bool(counts)}

    def close(self) -> None:
        self.db.close()
