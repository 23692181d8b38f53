"""The audit's actions: profile, analyze, optimize, verify (which also writes the reports)."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.engine import StepContext
from devora.errors import StepError
from devora.workflows.performance._analysis import (
    Analysis,
    check_budgets,
    compare_metrics,
    validate_assertions,
)
from devora.workflows.performance._audit_report import AuditReport, audit_json
from devora.workflows.performance._config import AuditInputs, AuditSettings, resolve_audit_settings
from devora.workflows.performance._history import (
    AUDIT_ARTIFACT,
    PastAudit,
    past_audits,
    run_store,
)
from devora.workflows.performance._html import render_html
from devora.workflows.performance._markdown import render_markdown
from devora.workflows.performance._measurement import Measurement, measure
from devora.workflows.performance._recommend import Optimization, advise, rank_recommendations
from devora.workflows.performance._verify import verify_measurements

__all__ = ["Analyzed", "Profile", "analyze", "optimize", "profile", "verify"]


class Profile(BaseModel):
    """The first measurement, with the settings every later step uses."""

    model_config = ConfigDict(frozen=True)

    settings: AuditSettings
    measurement: Measurement


class Analyzed(BaseModel):
    """The analysis of the first measurement, and the target's earlier audits."""

    model_config = ConfigDict(frozen=True)

    analysis: Analysis
    history: tuple[PastAudit, ...]


async def profile(ctx: StepContext[AuditInputs]) -> Profile:
    """Measure the target: Lighthouse, latency percentiles, asset sizes, benchmarks."""
    settings = resolve_audit_settings(ctx.inputs)
    validate_assertions(settings.assertions, settings.config_file)
    measurement = await measure(settings, ctx.log)
    ctx.log(f"measured {len(measurement.metrics)} metrics of {settings.target}")
    return Profile(settings=settings, measurement=measurement)


def analyze(ctx: StepContext[AuditInputs]) -> Analyzed:
    """Check the budgets, and compare with the last audit of the same target."""
    first: Profile = ctx.result("profile")
    settings = first.settings
    history = past_audits(run_store(ctx), settings.target, exclude=ctx.run_id)
    budgets, unmeasured = check_budgets(first.measurement.metrics, settings.assertions)
    previous = history[-1] if history else None
    changes = (
        compare_metrics(previous.metrics, first.measurement.metrics, settings.regression_tolerance)
        if previous
        else []
    )
    analysis = Analysis(
        budgets=tuple(budgets),
        changes=tuple(changes),
        previous_run=previous.run_id if previous else None,
        previous_at=_iso(previous.created_at) if previous else None,
        unmeasured=tuple(unmeasured),
    )
    ctx.log(
        f"{len(analysis.broken_budgets)} of {len(budgets)} budget(s) broken, "
        f"{len(analysis.regressions)} regression(s) against "
        f"{previous.run_id if previous else 'no earlier audit'}"
    )
    return Analyzed(analysis=analysis, history=tuple(history))


async def optimize(ctx: StepContext[AuditInputs]) -> Optimization:
    """Rank what to change; a configured LLM adds its advice."""
    first: Profile = ctx.result("profile")
    analyzed: Analyzed = ctx.result("analyze")
    ranked = rank_recommendations(first.measurement, analyzed.analysis)
    advice, note = await advise(ctx, Path(first.settings.root), ranked, first.measurement.metrics)
    ctx.log(f"{len(ranked)} recommendation(s); {note}")
    return Optimization(recommendations=tuple(ranked), advice=advice, advice_note=note)


async def verify(ctx: StepContext[AuditInputs]) -> AuditReport:
    """Measure again, take medians, judge them, and write the Markdown, HTML and JSON reports."""
    first: Profile = ctx.result("profile")
    analyzed: Analyzed = ctx.result("analyze")
    settings = first.settings
    measurements = [first.measurement]
    runs = settings.verify_runs if settings.lighthouse or settings.endpoints else 0
    if not runs:
        ctx.log("only asset sizes and benchmark files: they do not vary, no second measurement")
    for index in range(runs):
        ctx.log(f"verification measurement {index + 1} of {runs}")
        measurements.append(await measure(settings, ctx.log, static=False))
    previous = analyzed.history[-1].metrics if analyzed.history else None
    verification = verify_measurements(
        measurements,
        analyzed.analysis,
        settings.assertions,
        previous,
        settings.regression_tolerance,
    )
    report = AuditReport(
        run_id=ctx.run_id,
        target=settings.target,
        measured_at=_iso(time.time()),
        profile=first.measurement,
        analysis=analyzed.analysis,
        optimization=ctx.result("optimize"),
        verification=verification,
        history=analyzed.history,
    )
    ctx.add_artifact(AUDIT_ARTIFACT, audit_json(report))
    ctx.add_artifact("performance-audit.md", render_markdown(report))
    ctx.add_artifact("performance-audit.html", render_html(report), media_type="text/html")
    figures: dict[str, object] = {"verdict": report.verdict}
    if "categories:performance" in verification.medians:
        figures["score"] = round(verification.medians["categories:performance"] * 100)
    if "largest-contentful-paint" in verification.medians:
        figures["lcp_ms"] = round(verification.medians["largest-contentful-paint"])
    figures["regressions"] = len(verification.regressions)
    ctx.set_summary(**figures)
    if ctx.inputs.strict and not verification.passed:
        raise StepError(
            f"performance audit {report.verdict}",
            hint=f"the reports are artifacts of the run: devora status {ctx.run_id}",
        )
    return report


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
