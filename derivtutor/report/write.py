"""Writing the class report: report.json, report.md and report.html in one folder, each atomically.

>>> import json, tempfile
>>> folder = tempfile.mkdtemp()
>>> paths = write_report({"exercises": [], "items": []}, folder, charts=False)
>>> sorted(p.name for p in paths)
['report.html', 'report.json', 'report.md']
"""
from __future__ import annotations

import json
from pathlib import Path

from derivtutor.grading.reports import to_json, write_atomic
from derivtutor.report.charts import misconception_chart, score_chart
from derivtutor.report.render import report_html, report_markdown
from derivtutor.report.stats import ItemsError, class_statistics


def read_items(path) -> dict:
    """The JSON written by ``derivtutor grade --format json``."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ItemsError(f"{path.name}: {exc}") from None


def write_report(data: dict, folder, lang: str = "en", charts: bool = True) -> list[Path]:
    """Count, render and write the three files; returns their paths."""
    stats = class_statistics(data)
    stats["lang"] = lang
    pictures = {}
    try:
        if charts and stats["exercises"]:
            pictures = {"scores": score_chart(stats["exercises"], lang),
                        "misconceptions": misconception_chart(stats["exercises"], lang)}
    except ImportError:  # no matplotlib (pip install "derivtutor[plot]"): the tables alone
        pictures = {}
    folder = Path(folder)
    return [write_atomic(folder / "report.json", to_json(stats)),
            write_atomic(folder / "report.md", report_markdown(stats, lang)),
            write_atomic(folder / "report.html", report_html(stats, lang, pictures))]
