"""The audit as one self-contained HTML page, with an inline SVG chart of each metric's history."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

from devora.workflows.performance._audit_report import AuditReport, format_value
from devora.workflows.performance._measurement import metric_info

__all__ = ["render_html", "svg_chart"]

_WIDTH, _HEIGHT, _PAD = 360, 140, 30
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem}
.ok{color:#176f2c}.fail{color:#b00020;font-weight:bold}.warn{color:#a15c00}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{border:1px solid #ddd;padding:.5rem}
"""


def svg_chart(name: str, points: Sequence[tuple[str, float]]) -> str:
    """A line chart of one metric across audits (oldest left, this audit right)."""
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span = (high - low) or (abs(high) or 1.0)
    step = (_WIDTH - 2 * _PAD) / max(len(points) - 1, 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        x = _PAD + index * step
        y = _HEIGHT - _PAD - (value - low) / span * (_HEIGHT - 2 * _PAD)
        return round(x, 1), round(y, 1)

    coordinates = [xy(i, value) for i, (_, value) in enumerate(points)]
    line = " ".join(f"{x},{y}" for x, y in coordinates)
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="3.5"><title>{html.escape(label)}: '
        f"{html.escape(format_value(name, value))}</title></circle>"
        for (x, y), (label, value) in zip(coordinates, points, strict=True)
    )
    title = html.escape(metric_info(name).label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{title}">'
        f'<text x="{_PAD}" y="16" font-size="12">{title}</text>'
        f'<text x="2" y="{_PAD + 4}" font-size="9">{html.escape(format_value(name, high))}</text>'
        f'<text x="2" y="{_HEIGHT - _PAD + 4}" font-size="9">'
        f"{html.escape(format_value(name, low))}</text>"
        f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - _PAD}" y2="{_HEIGHT - _PAD}" '
        'stroke="#999"/>'
        f'<polyline fill="none" stroke="#3367d6" stroke-width="2" points="{line}"/>'
        f'<g fill="#3367d6">{dots}</g>'
        f'<text x="{_PAD}" y="{_HEIGHT - 8}" font-size="9">{len(points)} audit(s), '
        "oldest left</text></svg>"
    )


def _budget_table(rows: str) -> str:
    if not rows:
        return "<p>No budgets configured.</p>"
    head = "".join(f"<th>{h}</th>" for h in ("metric", "rule", "limit", "median", "result"))
    return f"<table><tr>{head}</tr>{rows}</table>"


def _row(cells: Sequence[str], css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<tr{attribute}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def render_html(report: AuditReport) -> str:
    """The whole report as HTML with no external resource."""
    v = report.verification
    charts = []
    for name, value in v.medians.items():
        points = [
            (time.strftime("%Y-%m-%d %H:%M", time.gmtime(past.created_at)), past.metrics[name])
            for past in report.history
            if name in past.metrics
        ]
        points.append((f"this audit ({report.measured_at})", value))
        charts.append(f'<div class="chart">{svg_chart(name, points)}</div>')
    metric_rows = "".join(
        _row(
            [
                metric_info(name).label,
                format_value(name, value),
                f"{format_value(name, v.ranges[name][0])} to "
                f"{format_value(name, v.ranges[name][1])}",
            ]
        )
        for name, value in v.medians.items()
    )
    budget_rows = "".join(
        _row(
            [
                b.label,
                b.rule,
                format_value(b.metric, b.limit),
                format_value(b.metric, b.actual),
                "ok" if b.passed else ("FAIL" if b.level == "error" else "warn"),
            ],
            "ok" if b.passed else ("fail" if b.level == "error" else "warn"),
        )
        for b in v.budgets
    )
    changes = "".join(
        f'<li class="{"fail" if c.regressed else "ok"}">'
        f"{'regression' if c.regressed else 'improvement'}: {html.escape(c.label)}: "
        f"{html.escape(format_value(c.metric, c.previous))} → "
        f"{html.escape(format_value(c.metric, c.current))}</li>"
        for c in v.changes
    )
    recommendations = "".join(
        f"<li><b>{html.escape(r.title)}</b> ({r.source}): {html.escape(r.detail)}</li>"
        for r in report.optimization.recommendations
    )
    advice = "".join(f"<li>{html.escape(a)}</li>" for a in report.optimization.advice)
    verdict_css = "ok" if v.passed else "fail"
    title = html.escape(f"Performance audit of {report.target}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{_STYLE}</style></head><body>
<h1>{title}</h1>
<p>Run <code>{html.escape(report.run_id)}</code>, measured {html.escape(report.measured_at)}.
Verdict: <span class="{verdict_css}">{html.escape(report.verdict)}</span>.
Medians of {v.measurements} measurement(s).</p>
<h2>Metrics across audits</h2>
<div class="charts">{"".join(charts)}</div>
<h2>Metrics</h2>
<table><tr><th>metric</th><th>median</th><th>range</th></tr>{metric_rows}</table>
<h2>Budgets</h2>
{_budget_table(budget_rows)}
<h2>Changes since the previous audit</h2>
{f"<ul>{changes}</ul>" if changes else "<p>None beyond the tolerance.</p>"}
<h2>Recommendations</h2>
{f"<ol>{recommendations}</ol>" if recommendations else "<p>Nothing stands out.</p>"}
{f"<ul>{advice}</ul>" if advice else ""}<p><i>{html.escape(report.optimization.advice_note)}</i></p>
</body></html>
"""
