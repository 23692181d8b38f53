"""The scaling study as Markdown: stages, breaking point, the plan's arithmetic, the files."""

from __future__ import annotations

from collections.abc import Sequence

from devora.tools.locust import StageResult
from devora.workflows.scaling._analysis import LoadAnalysis
from devora.workflows.scaling._capacity import CapacityPlan
from devora.workflows.scaling._config import ScalingSettings
from devora.workflows.scaling._infrastructure import Infrastructure

__all__ = ["render_scaling_report"]


def render_scaling_report(
    settings: ScalingSettings,
    stages: Sequence[StageResult],
    stopped_early: str | None,
    analysis: LoadAnalysis,
    plan: CapacityPlan,
    infra: Infrastructure,
) -> str:
    """The whole study, for a capacity review."""
    lines = [
        f"# Scaling study of {settings.url}",
        "",
        f"- Endpoints: {', '.join(f'`{e}`' for e in settings.endpoints)}",
        f"- Stages: {', '.join(str(s) for s in settings.stages)} users, "
        f"{settings.stage_seconds:g} s each, at most {settings.max_requests} requests per stage",
        f"- SLA: p95 ≤ {settings.sla_p95_ms:g} ms and error rate ≤ {settings.sla_error_rate:.1%}",
        "",
        "## Load test",
        "",
        "| users | requests | req/s | p50 ms | p95 ms | p99 ms | errors | SLA |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for verdict in analysis.verdicts:
        s = verdict.stage
        lines.append(
            f"| {s.users} | {s.requests} | {s.rps:g} | {s.p50:g} | {s.p95:g} | {s.p99:g} | "
            f"{s.error_rate:.1%} | {'met' if verdict.meets_sla else 'broken'} |"
        )
    if stopped_early:
        lines += ["", f"The test {stopped_early}."]
    lines += ["", "## Analysis", ""]
    if analysis.best:
        lines.append(
            f"- Highest stage within the SLA: **{analysis.best.users} users, "
            f"{analysis.best.rps:g} req/s** (p95 {analysis.best.p95:g} ms)."
        )
    if analysis.breaking:
        lines.append(f"- Breaks at **{analysis.breaking.users} users**:")
        lines += [f"  - {reason}" for reason in analysis.breaking_reasons]
    elif analysis.saturation_users is None:
        lines.append(
            "- No stage broke the SLA and throughput still grew: the capacity below is a "
            "lower bound; add larger stages to find the limit."
        )
    else:
        lines.append("- No stage broke the SLA, but throughput stopped growing (below).")
    if analysis.knee_users is not None:
        lines.append(f"- Latency knee at {analysis.knee_users} users.")
    if analysis.saturation_users is not None:
        lines.append(f"- Throughput saturates at {analysis.saturation_users} users.")
    lines += ["", "## Capacity plan", "", f"For a target of {plan.target_rps:g} req/s:", ""]
    lines += [f"- {line}" for line in plan.arithmetic]
    lines += [
        "",
        f"**{plan.instances} instances** (autoscaling {plan.instances}-{plan.max_instances})"
        + (
            f", about {plan.monthly_cost:g} {plan.currency} a month."
            if plan.monthly_cost is not None
            else "; no price_per_instance given, so no cost estimate."
        ),
        "",
        "## Infrastructure",
        "",
        f"- `kubernetes.yaml`: Deployment ({plan.instances} replicas, "
        f"{settings.cpu_per_instance:g} CPU, {settings.memory_per_instance}) and "
        f"HorizontalPodAutoscaler ({plan.instances}-{plan.max_instances} replicas at "
        f"{plan.cpu_target_percent} % CPU)",
        f"- `gunicorn.conf.py`: {infra.workers} {settings.server} worker(s) per instance; "
        f"command `{' '.join(infra.command)}`",
        "",
        "```yaml",
        infra.files["kubernetes.yaml"].rstrip(),
        "```",
        "",
    ]
    return "\n".join(lines)
