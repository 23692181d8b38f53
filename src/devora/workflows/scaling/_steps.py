"""The scaling study's actions: load test, analyze, capacity plan, infrastructure."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.locust import StageResult, locust_command, run_stage
from devora.workflows.performance import check_reachable
from devora.workflows.scaling._analysis import LoadAnalysis, analyze_stages
from devora.workflows.scaling._capacity import CapacityPlan, plan_capacity
from devora.workflows.scaling._config import (
    ScalingInputs,
    ScalingSettings,
    resolve_scaling_settings,
)
from devora.workflows.scaling._infrastructure import Infrastructure, build_infrastructure
from devora.workflows.scaling._report import render_scaling_report

__all__ = [
    "LoadTest",
    "analyze",
    "capacity_plan",
    "infrastructure",
    "load_test",
    "plan_load_test",
]

ABANDON_ERROR_RATE = 0.5  # a stage failing this much ends the test: the next would only fail more


class LoadTest(BaseModel):
    """The stages that ran, with the settings every later step uses."""

    model_config = ConfigDict(frozen=True)

    settings: ScalingSettings
    stages: tuple[StageResult, ...]
    stopped_early: str | None = None


async def load_test(ctx: StepContext[ScalingInputs]) -> LoadTest:
    """Run Locust headless in stages of increasing users against the url only."""
    settings = resolve_scaling_settings(ctx.inputs)
    locust_command()
    await check_reachable(settings.url)
    stages: list[StageResult] = []
    stopped = None
    with tempfile.TemporaryDirectory(prefix="devora-locust-") as workdir:
        for users in settings.stages:
            ctx.log(f"stage: {users} users for {settings.stage_seconds:g} s on {settings.host}")
            stage = await run_stage(
                endpoints=settings.endpoints,
                max_requests=settings.max_requests,
                host=settings.host,
                users=users,
                spawn_rate=settings.spawn_rate or float(users),
                seconds=settings.stage_seconds,
                workdir=Path(workdir),
            )
            stages.append(stage)
            ctx.log(
                f"{users} users: {stage.rps:g} req/s, p50 {stage.p50:g} ms, p95 {stage.p95:g} ms, "
                f"p99 {stage.p99:g} ms, errors {stage.error_rate:.1%} of {stage.requests}"
            )
            if stage.error_rate >= ABANDON_ERROR_RATE:
                stopped = f"stopped after {users} users: {stage.error_rate:.0%} of requests failed"
                ctx.log(stopped)
                break
    return LoadTest(settings=settings, stages=tuple(stages), stopped_early=stopped)


def plan_load_test(ctx: StepContext[ScalingInputs]) -> Plan:
    """What the load test would send, and where: a dry-run loads no service."""
    settings = resolve_scaling_settings(ctx.inputs)
    changes = [
        f"stage {index}: {users} users for {settings.stage_seconds:g} s, at most "
        f"{settings.max_requests} requests to {', '.join(settings.endpoints)}"
        for index, users in enumerate(settings.stages, start=1)
    ]
    return Plan(
        summary=f"would load {settings.url} in {len(settings.stages)} stage(s), "
        f"at most {settings.max_requests * len(settings.stages)} requests in all",
        changes=changes,
    )


def analyze(ctx: StepContext[ScalingInputs]) -> LoadAnalysis:
    """The highest stage meeting the SLA, and where the service breaks."""
    test: LoadTest = ctx.result("load_test")
    analysis = analyze_stages(
        test.stages,
        sla_p95_ms=test.settings.sla_p95_ms,
        sla_error_rate=test.settings.sla_error_rate,
    )
    if analysis.best:
        best = analysis.best
        ctx.log(f"highest stage within the SLA: {best.users} users, {best.rps:g} req/s")
    if analysis.breaking:
        ctx.log(
            f"breaks at {analysis.breaking.users} users: {'; '.join(analysis.breaking_reasons)}"
        )
    return analysis


def capacity_plan(ctx: StepContext[ScalingInputs]) -> CapacityPlan:
    """Instances for the target load with headroom, and their cost."""
    test: LoadTest = ctx.result("load_test")
    analysis: LoadAnalysis = ctx.result("analyze")
    settings = test.settings
    if analysis.best is None:
        first = analysis.verdicts[0]
        raise StepError(
            f"even the first stage ({first.stage.users} users) breaks the SLA: "
            + "; ".join(first.problems),
            hint="start with fewer users (--stages 1,2,4), or relax sla_p95_ms / sla_error_rate",
        )
    if settings.target_rps is None:  # resolve_scaling_settings refuses this already
        raise StepError("no target load to plan for", hint="pass --target-rps N")
    plan = plan_capacity(
        target_rps=settings.target_rps,
        tested_rps=analysis.best.rps,
        tested_instances=settings.tested_instances,
        headroom=settings.headroom,
        min_instances=settings.min_instances,
        price_per_instance=settings.price_per_instance,
        currency=settings.currency,
        lower_bound=not analysis.found_limit,
    )
    for line in plan.arithmetic:
        ctx.log(line)
    ctx.set_summary(instances=plan.instances, capacity_rps=plan.per_instance_rps)
    return plan


def infrastructure(ctx: StepContext[ScalingInputs]) -> Infrastructure:
    """Kubernetes manifests and worker settings for the plan, and the study's report."""
    test: LoadTest = ctx.result("load_test")
    analysis: LoadAnalysis = ctx.result("analyze")
    plan: CapacityPlan = ctx.result("capacity_plan")
    infra = build_infrastructure(test.settings, plan)
    for name, content in infra.files.items():
        ctx.add_artifact(name, content)
    report = render_scaling_report(
        test.settings, test.stages, test.stopped_early, analysis, plan, infra
    )
    ctx.add_artifact("scaling-report.md", report)
    return infra
