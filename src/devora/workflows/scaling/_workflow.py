"""Scaling: load test → analyze → capacity plan → infrastructure.

load_test (performance)     Locust, headless, stages of increasing users, the url only
analyze (performance)       the highest stage meeting the SLA; knee, errors, saturation
capacity_plan (devops)      instances for the target load with headroom; the cost
infrastructure (devops)     Deployment + HorizontalPodAutoscaler YAML, gunicorn settings
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows import register_command_line
from devora.workflows.scaling._analysis import LoadAnalysis
from devora.workflows.scaling._capacity import CapacityPlan
from devora.workflows.scaling._config import ScalingInputs
from devora.workflows.scaling._infrastructure import Infrastructure
from devora.workflows.scaling._present import present_scaling
from devora.workflows.scaling._steps import (
    LoadTest,
    analyze,
    capacity_plan,
    infrastructure,
    load_test,
    plan_load_test,
)

__all__ = ["scaling", "scaling_outputs"]

# Side-effecting: a load test is traffic on a real service, so a dry-run only plans it.
load_test_step: Step[LoadTest] = Step(
    "load_test",
    load_test,
    squad="performance",
    timeout=7200,
    side_effects=True,
    plan=plan_load_test,
)
analyze_step: Step[LoadAnalysis] = Step(
    "analyze", analyze, squad="performance", needs=[load_test_step]
)
capacity_step: Step[CapacityPlan] = Step(
    "capacity_plan", capacity_plan, squad="devops", needs=[analyze_step]
)
infrastructure_step: Step[Infrastructure] = Step(
    "infrastructure", infrastructure, squad="devops", needs=[capacity_step]
)


def scaling_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The capacity found, the plan and the generated files."""
    analysis = ctx.result(analyze_step)
    plan = ctx.result(capacity_step)
    return {
        "capacity_rps": plan.per_instance_rps,
        "lower_bound": plan.lower_bound,
        "best_users": analysis.best.users if analysis.best else None,
        "breaking_users": analysis.breaking.users if analysis.breaking else None,
        "breaking_reasons": list(analysis.breaking_reasons),
        "target_rps": plan.target_rps,
        "instances": plan.instances,
        "max_instances": plan.max_instances,
        "monthly_cost": plan.monthly_cost,
        "report": str(ctx.artifacts_dir / "scaling-report.md"),
        "files": sorted(ctx.result(infrastructure_step).files),
    }


scaling = Workflow(
    name="scaling",
    description="Staged Locust load test, SLA breaking point, capacity plan, Kubernetes manifests.",
    steps=[load_test_step, analyze_step, capacity_step, infrastructure_step],
    inputs=ScalingInputs,
    outputs=scaling_outputs,
    concurrency=1,
)
register_command_line(scaling, positional=("url",), present=present_scaling)
