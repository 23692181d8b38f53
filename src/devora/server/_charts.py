"""Charts of the figures runs record in their summaries, over time, per project: inline SVG.

A project is what a run was pointed at (its `path` or `url` input); a figure is a number
in the run's summary (a quality gate's `score`, a performance audit's `score`, `lcp_ms`,
`regressions`...). The LLM usage counters are left out: they measure Devora, not the project.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from devora.store import RunRecord

__all__ = ["Series", "chart_series", "render_svg"]

_SKIPPED = frozenset({"llm_calls", "llm_input_tokens", "llm_output_tokens", "llm_cost"})
WIDTH, HEIGHT, PAD = 560, 200, 40


@dataclass
class Series:
    """One figure of one workflow on one project: (time, value, run id) points, oldest first."""

    workflow: str
    project: str
    figure: str
    points: list[tuple[float, float, str]] = field(default_factory=list)


def _project(run: RunRecord) -> str:
    for key in ("path", "url", "project", "target"):
        value = run.inputs.get(key)
        if isinstance(value, str) and value:
            return value
    return "(no project input)"


def chart_series(runs: Iterable[RunRecord]) -> list[Series]:
    """Every numeric summary figure of finished top-level runs, grouped into series."""
    grouped: dict[tuple[str, str, str], Series] = {}
    for run in sorted(runs, key=lambda r: r.created_at):
        if run.parent_run_id or not run.status.finished or run.dry_run:
            continue
        for figure, value in run.summary.items():
            if figure in _SKIPPED or isinstance(value, bool):
                continue
            if not isinstance(value, int | float) or not math.isfinite(value):
                continue
            key = (run.workflow, _project(run), figure)
            series = grouped.setdefault(key, Series(*key))
            series.points.append((run.finished_at or run.created_at, float(value), run.id))
    return sorted(grouped.values(), key=lambda s: (s.project, s.workflow, s.figure))


def render_svg(series: Series) -> str:
    """A line chart of the series, axes labelled, each point titled with its run and value."""
    values = [v for _, v, _ in series.points]
    times = [t for t, _, _ in series.points]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    start, end = min(times), max(times)
    span = (end - start) or 1.0

    def x(at: float) -> float:
        if end == start:
            return WIDTH / 2
        return PAD + (at - start) / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD + (low - value) / (high - low) * (HEIGHT - 2 * PAD)

    coords = [(x(t), y(v)) for t, v, _ in series.points]
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    title = f"{series.figure} · {series.workflow} · {series.project}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" data-figure="{escape(series.figure)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" '
        f'y2="{HEIGHT - PAD}"/>',
        f'<line class="axis" x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}"/>',
        f'<text class="label" x="{PAD - 4}" y="{PAD + 4}" text-anchor="end">{_num(high)}</text>',
        f'<text class="label" x="{PAD - 4}" y="{HEIGHT - PAD}" text-anchor="end">'
        f"{_num(low)}</text>",
        f'<text class="label" x="{PAD}" y="{HEIGHT - PAD + 16}">{_day(start)}</text>',
        f'<text class="label" x="{WIDTH - PAD}" y="{HEIGHT - PAD + 16}" text-anchor="end">'
        f"{_day(end)}</text>",
        f'<polyline class="line" points="{path}"/>',
    ]
    for (cx, cy), (at, value, run_id) in zip(coords, series.points, strict=True):
        parts.append(
            f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="3.5">'
            f"<title>{escape(run_id)}: {_num(value)} ({_day(at)})</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"


def _day(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))
