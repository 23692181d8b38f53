"""How many instances a target load needs, with headroom and cost; the arithmetic shown."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from devora.errors import StepError

__all__ = ["CapacityPlan", "plan_capacity"]


class CapacityPlan(BaseModel):
    """Instances for the target load, the autoscaler's bounds, and the monthly cost."""

    model_config = ConfigDict(frozen=True)

    target_rps: float
    per_instance_rps: float
    headroom: float
    needed_rps: float
    instances: int
    max_instances: int
    cpu_target_percent: int
    monthly_cost: float | None
    currency: str
    lower_bound: bool  # the load test never broke the SLA: capacity is at least this
    arithmetic: tuple[str, ...]


def plan_capacity(
    *,
    target_rps: float,
    tested_rps: float,
    tested_instances: int,
    headroom: float,
    min_instances: int,
    price_per_instance: float | None,
    currency: str,
    lower_bound: bool,
) -> CapacityPlan:
    """instances = max(min, ceil(target * (1 + headroom) / per-instance capacity))."""
    if target_rps <= 0:
        raise StepError(
            f"the target load must be more than 0 requests per second (got {target_rps:g})",
            hint="pass --target-rps with a positive number",
        )
    if tested_rps <= 0:
        raise StepError(
            "the load test measured no throughput within the SLA",
            hint="start with fewer users or relax the SLA (sla_p95_ms, sla_error_rate)",
        )
    per_instance = tested_rps / tested_instances
    needed = target_rps * (1 + headroom)
    exact = needed / per_instance
    rounded = math.ceil(exact - 1e-9)  # 3.0000000001 from float division is 3
    instances = max(min_instances, rounded)
    max_instances = max(instances + 1, math.ceil(instances * 2))
    cpu_target = max(50, min(90, round(100 / (1 + headroom))))
    lines = [
        f"capacity per instance = {tested_rps:g} req/s / {tested_instances} tested "
        f"instance(s) = {per_instance:g} req/s"
        + (" (a lower bound: the load test found no limit)" if lower_bound else ""),
        f"load to serve = {target_rps:g} req/s * (1 + {headroom:g} headroom) = {needed:g} req/s",
        f"instances = ceil({needed:g} / {per_instance:g}) = ceil({exact:.2f}) = {rounded}"
        + (f", raised to the minimum of {min_instances}" if instances > rounded else ""),
        f"autoscaler: {instances} to {max_instances} replicas, scaling out above "
        f"{cpu_target} % CPU (~ 100 / (1 + {headroom:g}))",
    ]
    cost = None
    if price_per_instance is not None:
        cost = round(instances * price_per_instance, 2)
        lines.append(
            f"cost = {instances} * {price_per_instance:g} {currency}/month = "
            f"{cost:g} {currency}/month"
            f" (up to {max_instances * price_per_instance:g} at {max_instances} replicas)"
        )
    return CapacityPlan(
        target_rps=target_rps,
        per_instance_rps=round(per_instance, 3),
        headroom=headroom,
        needed_rps=round(needed, 3),
        instances=instances,
        max_instances=max_instances,
        cpu_target_percent=cpu_target,
        monthly_cost=cost,
        currency=currency,
        lower_bound=lower_bound,
        arithmetic=tuple(lines),
    )
