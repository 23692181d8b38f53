"""Where the service stops meeting its SLA: the last good stage, and why the next one breaks."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from devora.tools.locust import StageResult

__all__ = ["KNEE_FACTOR", "LoadAnalysis", "StageVerdict", "analyze_stages"]

KNEE_FACTOR = 2.0  # p95 at least doubling from one stage to the next is a latency knee
# Throughput that grows by less than this share of the added users has saturated.
SATURATION_SHARE = 0.25


class StageVerdict(BaseModel):
    """One stage judged against the SLA, with what it shows about the service."""

    model_config = ConfigDict(frozen=True)

    stage: StageResult
    meets_sla: bool
    problems: tuple[str, ...]


class LoadAnalysis(BaseModel):
    """The highest stage meeting the SLA, and where and how the service breaks."""

    model_config = ConfigDict(frozen=True)

    sla_p95_ms: float
    sla_error_rate: float
    verdicts: tuple[StageVerdict, ...]
    best: StageResult | None
    breaking: StageResult | None
    breaking_reasons: tuple[str, ...]
    knee_users: int | None
    saturation_users: int | None

    @property
    def capacity_rps(self) -> float | None:
        """Requests per second the tested service sustains within the SLA."""
        return self.best.rps if self.best else None

    @property
    def found_limit(self) -> bool:
        """True when a stage broke the SLA or throughput saturated (capacity is measured)."""
        return self.breaking is not None or self.saturation_users is not None


def analyze_stages(
    stages: Sequence[StageResult], *, sla_p95_ms: float, sla_error_rate: float
) -> LoadAnalysis:
    """Judge each stage, find the best one, the breaking one, the knee and saturation."""
    verdicts = []
    knee = saturation = None
    previous: StageResult | None = None
    for stage in stages:
        problems = []
        if stage.requests == 0:
            problems.append("no request completed")
        if stage.p95 > sla_p95_ms:
            problems.append(f"p95 {stage.p95:g} ms is over the SLA's {sla_p95_ms:g} ms")
        if stage.error_rate > sla_error_rate:
            problems.append(
                f"error rate {stage.error_rate:.1%} is over the SLA's {sla_error_rate:.1%}"
            )
        if previous is not None and previous.requests and stage.requests:
            if knee is None and previous.p95 > 0 and stage.p95 >= KNEE_FACTOR * previous.p95:
                knee = stage.users
                problems.append(
                    f"latency knee: p95 {previous.p95:g} → {stage.p95:g} ms "
                    f"from {previous.users} to {stage.users} users"
                )
            user_growth = stage.users / previous.users - 1
            expected = previous.rps * (1 + SATURATION_SHARE * user_growth)
            if saturation is None and stage.rps < expected:
                saturation = stage.users
                problems.append(
                    f"saturation: {stage.users} users give {stage.rps:g} req/s against "
                    f"{previous.rps:g} with {previous.users} users"
                )
        meets = not any(p.startswith(("p95", "error rate", "no request")) for p in problems)
        verdicts.append(StageVerdict(stage=stage, meets_sla=meets, problems=tuple(problems)))
        previous = stage
    best = None
    breaking = None
    reasons: tuple[str, ...] = ()
    for verdict in verdicts:
        if not verdict.meets_sla:
            breaking, reasons = verdict.stage, verdict.problems
            break
        best = verdict.stage
    return LoadAnalysis(
        sla_p95_ms=sla_p95_ms,
        sla_error_rate=sla_error_rate,
        verdicts=tuple(verdicts),
        best=best,
        breaking=breaking,
        breaking_reasons=reasons,
        knee_users=knee,
        saturation_users=saturation,
    )
