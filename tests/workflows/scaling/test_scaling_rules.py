"""The scaling rules on their own: the SLA analysis, the capacity arithmetic."""

from __future__ import annotations

import pytest
import yaml

from devora.errors import StepError
from devora.tools.locust import StageResult
from devora.workflows.scaling import (
    ScalingSettings,
    analyze_stages,
    kubernetes_manifests,
    plan_capacity,
)


def stage(
    users: int, rps: float, p95: float, failures: int = 0, requests: int = 1000
) -> StageResult:
    return StageResult(
        users=users, seconds=10, requests=1000, failures=failures, rps=rps,
        p50=p95 / 2, p95=p95, p99=p95 * 1.2, average=p95 / 2, maximum=p95 * 2,
    )  # fmt: skip


def test_the_analysis_finds_the_last_good_stage_the_knee_and_saturation() -> None:
    stages = [stage(5, 100, 40), stage(10, 190, 45), stage(20, 210, 120), stage(40, 205, 600)]
    analysis = analyze_stages(stages, sla_p95_ms=300, sla_error_rate=0.01)
    assert analysis.best is not None and analysis.best.users == 20
    assert analysis.breaking is not None and analysis.breaking.users == 40
    assert analysis.knee_users == 20  # 45 → 120 ms
    assert analysis.saturation_users == 20  # 190 → 210 req/s for twice the users
    assert analysis.capacity_rps == 210
    assert any("p95 600 ms is over the SLA's 300 ms" in r for r in analysis.breaking_reasons)


def test_errors_break_the_sla_before_latency_does() -> None:
    stages = [stage(5, 100, 40), stage(10, 200, 42, failures=50)]
    analysis = analyze_stages(stages, sla_p95_ms=300, sla_error_rate=0.01)
    assert analysis.best is not None and analysis.best.users == 5
    assert analysis.breaking_reasons == ("error rate 5.0% is over the SLA's 1.0%",)


def test_the_capacity_plan_shows_its_arithmetic() -> None:
    plan = plan_capacity(
        target_rps=1000, tested_rps=240, tested_instances=2, headroom=0.5, min_instances=2,
        price_per_instance=30, currency="EUR", lower_bound=False,
    )  # fmt: skip
    assert plan.per_instance_rps == 120
    assert plan.needed_rps == 1500
    assert plan.instances == 13  # ceil(1500 / 120) = ceil(12.5)
    assert plan.max_instances == 26
    assert plan.cpu_target_percent == 67  # 100 / 1.5
    assert plan.monthly_cost == 390
    assert plan.arithmetic[2] == "instances = ceil(1500 / 120) = ceil(12.50) = 13"
    assert "cost = 13 * 30 EUR/month = 390 EUR/month" in plan.arithmetic[4]


def test_a_small_load_still_gets_the_minimum_instances() -> None:
    plan = plan_capacity(
        target_rps=10, tested_rps=500, tested_instances=1, headroom=0.3, min_instances=2,
        price_per_instance=None, currency="USD", lower_bound=True,
    )  # fmt: skip
    assert plan.instances == 2 and plan.monthly_cost is None
    assert "raised to the minimum of 2" in plan.arithmetic[2]
    assert "lower bound" in plan.arithmetic[0]


@pytest.mark.parametrize("target", [0.0, -5.0])
def test_a_zero_or_negative_target_is_an_error(target: float) -> None:
    with pytest.raises(StepError, match="more than 0"):
        plan_capacity(
            target_rps=target, tested_rps=100, tested_instances=1, headroom=0.3,
            min_instances=1, price_per_instance=None, currency="USD", lower_bound=False,
        )  # fmt: skip


def test_manifests_are_valid_yaml_with_the_plan_numbers() -> None:
    settings = ScalingSettings(target_rps=100, app_name="api", memory_per_instance="1Gi")
    plan = plan_capacity(
        target_rps=100, tested_rps=40, tested_instances=1, headroom=0.0, min_instances=1,
        price_per_instance=None, currency="USD", lower_bound=False,
    )  # fmt: skip
    text = kubernetes_manifests(settings, plan)
    assert "&id" not in text and "*id" not in text  # no YAML aliases for people to untangle
    deployment, autoscaler = yaml.safe_load_all(text)
    assert deployment["spec"]["replicas"] == 3
    resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources["limits"] == {"cpu": "1000m", "memory": "1Gi"}
    assert autoscaler["spec"]["minReplicas"] == 3 and autoscaler["spec"]["maxReplicas"] == 6
    assert autoscaler["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 90
