"""The class report as Markdown and as one self-contained HTML page (charts embedded).

>>> stats = {"students": 0, "items": 0, "max_total": 0.0, "lowest_totals": [], "exercises": []}
>>> report_markdown(stats, "en").splitlines()[0]
'# Class report'
"""
from __future__ import annotations

import html

from derivtutor.catalogue import message


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _summary_rows(stats: dict, lang: str) -> list[list[str]]:
    return [[row["id"], str(row["graded"]), f"{row['mean_score']:g} / {row['max_score']:g}",
             _percent(row["share_correct"]), _percent(row["share_invalid"])] for row in stats["exercises"]]


def _summary_header(lang: str) -> list[str]:
    return [message(f"report.col-{c}", lang) for c in ("exercise", "graded", "mean", "correct", "invalid")]


def _details(row: dict, lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, header, rows) of one exercise's three tables."""
    diagnoses = [[d["code"], str(d["count"])] for d in row["diagnoses"]]
    wrong = [[w["answer"], w["variant"] or "—", str(w["count"])] for w in row["wrong_answers"]]
    students = [[s["student"], f"{s['score']:g}", message(f"grading.verdict-{s['verdict']}", lang)]
                for s in row["hardest_students"]]
    col = lambda c: message(f"report.col-{c}", lang)  # noqa: E731
    return [(message("report.misconceptions", lang), [col("code"), col("count")], diagnoses),
            (message("report.wrong-answers", lang), [col("answer"), col("variant"), col("count")], wrong),
            (message("report.hardest", lang), [col("student"), col("score"), col("verdict")], students)]


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    cell = lambda t: t.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]


def report_markdown(stats: dict, lang: str = "en") -> str:
    lines = [f"# {message('report.title', lang)}", "",
             message("report.summary", lang, students=stats["students"], items=stats["items"]), ""]
    lines += _md_table(_summary_header(lang), _summary_rows(stats, lang)) + [""]
    for row in stats["exercises"]:
        lines += [f"## {row['id']}", ""]
        for heading, header, rows in _details(row, lang):
            lines += [f"### {heading}", ""]
            lines += (_md_table(header, rows) if rows else [message("report.none", lang)]) + [""]
    return "\n".join(lines)


STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}"
         "th{background:#eee}img{max-width:100%}code{font-size:95%}")


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(stats: dict, lang: str = "en", charts: dict | None = None) -> str:
    """One HTML file with no outside references: charts are data: URIs."""
    title = html.escape(message("report.title", lang))
    parts = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>",
             f"<style>{STYLE}</style></head><body><h1>{title}</h1>",
             f"<p>{html.escape(message('report.summary', lang, students=stats['students'], items=stats['items']))}</p>",
             _html_table(_summary_header(lang), _summary_rows(stats, lang))]
    for name, png in (charts or {}).items():
        parts.append(f"<figure><img alt=\"{html.escape(name)}\" src=\"data:image/png;base64,{png}\"></figure>")
    for row in stats["exercises"]:
        parts.append(f"<h2>{html.escape(row['id'])}</h2>")
        for heading, header, rows in _details(row, lang):
            parts.append(f"<h3>{html.escape(heading)}</h3>")
            parts.append(_html_table(header, rows) if rows else f"<p>{html.escape(message('report.none', lang))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
