"""The report's charts: matplotlib figures as base64 PNG, to embed in one HTML file.

>>> png = score_chart([{"id": "e", "scores": [{"score": 0.0, "count": 2}, {"score": 1.0, "count": 3}],
...                     "max_score": 1.0}], "en")   # doctest: +SKIP
"""
from __future__ import annotations

import base64
import io

from derivtutor.catalogue import message

#: Score bands of the distribution chart, lowest first, with their colours.
BANDS = (("zero", "#d9534f"), ("partial", "#f0ad4e"), ("full", "#5cb85c"))


def _figure(rows: int):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, plt.subplots(figsize=(8, 0.45 * max(rows, 2) + 1.2), dpi=100)


def _png(plt, fig) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def band_counts(row: dict) -> dict:
    """How many items of one exercise scored 0, part of the points, all of them."""
    counts = {"zero": 0, "partial": 0, "full": 0}
    for entry in row["scores"]:
        band = "zero" if entry["score"] <= 0 else "full" if entry["score"] >= row["max_score"] else "partial"
        counts[band] += entry["count"]
    return counts


def score_chart(rows: list[dict], lang: str) -> str:
    """A stacked horizontal bar per exercise: how many scored 0, partial, full marks."""
    plt, (fig, ax) = _figure(len(rows))
    names = [row["id"] for row in rows][::-1]
    left = [0] * len(rows)
    for band, colour in BANDS:
        values = [band_counts(row)[band] for row in rows][::-1]
        ax.barh(names, values, left=left, color=colour, label=message(f"report.band-{band}", lang))
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel(message("report.axis-students", lang))
    ax.set_title(message("report.chart-scores", lang))
    ax.legend(loc="lower right", fontsize=8)
    return _png(plt, fig)


def misconception_chart(rows: list[dict], lang: str, top: int = 3) -> str:
    """A bar per (exercise, diagnosis code) for each exercise's most frequent codes."""
    pairs = [(f"{row['id']}: {d['code']}", d["count"]) for row in rows for d in row["diagnoses"][:top]]
    plt, (fig, ax) = _figure(len(pairs))
    if pairs:
        labels, counts = zip(*pairs[::-1])
        ax.barh(labels, counts, color="#337ab7")
    else:
        ax.text(0.5, 0.5, message("report.no-misconceptions", lang), ha="center", va="center")
    ax.set_xlabel(message("report.axis-answers", lang))
    ax.set_title(message("report.chart-misconceptions", lang))
    ax.tick_params(axis="y", labelsize=8)
    return _png(plt, fig)
