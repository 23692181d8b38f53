"""Ranked recommendations: Lighthouse's opportunities, the largest assets, the slowest endpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from devora.config import load_config
from devora.engine import StepContext
from devora.squads import AgentTask, Backend, effective_squads, find_agent
from devora.workflows.performance._analysis import Analysis
from devora.workflows.performance._measurement import Measurement

__all__ = [
    "ADVICE_SQUAD",
    "Advice",
    "Optimization",
    "Recommendation",
    "advise",
    "rank_recommendations",
]

ADVICE_SQUAD = "frontend"  # the performance squad's agents are tools; advice is a developer's
TOP_OPPORTUNITIES = 6
TOP_ASSETS = 3


class Recommendation(BaseModel):
    """One thing to change, where it comes from and what it would save."""

    model_config = ConfigDict(frozen=True)

    rank: int
    source: Literal["lighthouse", "assets", "latency"]
    title: str
    detail: str
    savings_ms: float | None = None
    savings_bytes: float | None = None


class Advice(BaseModel):
    """What the LLM agent answers: short, concrete suggestions."""

    suggestions: list[str] = Field(description="concrete changes, most valuable first")


class Optimization(BaseModel):
    """The optimize step's result: ranked recommendations and, with a model, its advice."""

    model_config = ConfigDict(frozen=True)

    recommendations: tuple[Recommendation, ...]
    advice: tuple[str, ...] = ()
    advice_note: str


def rank_recommendations(measurement: Measurement, analysis: Analysis) -> list[Recommendation]:
    """Opportunities by time saved, then the heaviest assets, then endpoints over budget."""
    found: list[tuple[str, str, str, float | None, float | None]] = []
    if measurement.lighthouse is not None:
        for opportunity in measurement.lighthouse.opportunities[:TOP_OPPORTUNITIES]:
            savings = []
            if opportunity.savings_ms:
                savings.append(f"{opportunity.savings_ms:.0f} ms")
            if opportunity.savings_bytes:
                savings.append(f"{opportunity.savings_bytes / 1024:.1f} KiB")
            saving = "saves about " + " and ".join(savings)
            found.append(
                (
                    "lighthouse",
                    opportunity.title,
                    f"Lighthouse audit `{opportunity.id}`: {saving}",
                    opportunity.savings_ms,
                    opportunity.savings_bytes,
                )
            )
    heaviest = sorted(measurement.assets, key=lambda a: -(a.gzip))[:TOP_ASSETS]
    for asset in heaviest:
        ratio = asset.gzip / asset.raw if asset.raw else 1.0
        detail = f"{asset.raw} bytes raw, {asset.gzip} gzip"
        if asset.brotli is not None:
            detail += f", {asset.brotli} brotli (serve it pre-compressed with brotli)"
        if ratio > 0.9:
            detail += "; it barely compresses: check it is not already-compressed data"
        detail += "; split it or load it lazily if it is not needed for the first paint"
        found.append(("assets", f"Reduce {asset.file}", detail, None, float(asset.raw)))
    slow = {
        b.metric[len("latency:") :].rpartition(":")[0]
        for b in analysis.broken_budgets
        if b.metric.startswith("latency:")
    }
    for item in measurement.latency:
        if item.endpoint in slow:
            found.append(
                (
                    "latency",
                    f"Speed up {item.endpoint}",
                    f"p95 {item.p95:.0f} ms, p99 {item.p99:.0f} ms over {item.requests} "
                    "requests: profile the handler (queries, external calls, serialization)",
                    None,
                    None,
                )
            )
    return [
        Recommendation(
            rank=index,
            source=source,
            title=title,
            detail=detail,
            savings_ms=ms,
            savings_bytes=size,
        )
        for index, (source, title, detail, ms, size) in enumerate(found, start=1)
    ]


def model_configured(root: Path) -> bool:
    """True when the advising squad's LLM agent has a model."""
    agent = find_agent(effective_squads(load_config(root)), ADVICE_SQUAD)
    return agent.backend is Backend.LLM and agent.model is not None


async def advise(
    ctx: StepContext[Any],
    root: Path,
    recommendations: list[Recommendation],
    metrics: dict[str, float],
) -> tuple[tuple[str, ...], str]:
    """An LLM's advice on the findings when a model is configured; otherwise a note why not."""
    if not model_configured(root):
        return (), (
            "No LLM model is configured, so there is no written advice: a person reads the "
            "ranked list above (set DEVORA_MODEL to have a model add advice)."
        )
    prompt = (
        "A performance audit measured these metrics and ranked these recommendations. "
        "Give at most 5 concrete, specific suggestions, most valuable first; do not invent "
        "measurements.\n\nMetrics:\n"
        + json.dumps(metrics, indent=1)
        + "\n\nRecommendations:\n"
        + json.dumps([r.model_dump() for r in recommendations], indent=1)
    )
    task = AgentTask(ADVICE_SQUAD, Advice, prompt, config_root=lambda _ctx: root)
    answer = await task.run(ctx)
    return tuple(answer.suggestions), f"advice from the {ADVICE_SQUAD} squad's LLM agent"
