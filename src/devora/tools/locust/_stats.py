"""Locust's stats CSV: the Aggregated row of one stage, as data."""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel, ConfigDict

__all__ = ["StageResult", "parse_locust_stats_csv"]


class StageResult(BaseModel):
    """One stage of the load test, from Locust's Aggregated stats row."""

    model_config = ConfigDict(frozen=True)

    users: int
    seconds: float
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    average: float
    maximum: float

    @property
    def error_rate(self) -> float:
        """Failures over requests."""
        return self.failures / self.requests if self.requests else 0.0


def parse_locust_stats_csv(text: str, users: int, seconds: float) -> StageResult:
    """The Aggregated row of Locust's `PREFIX_stats.csv`."""
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next((r for r in rows if r.get("Name") == "Aggregated"), None)
    if row is None:
        raise ValueError("no Aggregated row in Locust's stats CSV")

    def number(column: str) -> float:
        value = row.get(column)
        return float(value) if value not in (None, "", "N/A") else 0.0

    return StageResult(
        users=users,
        seconds=seconds,
        requests=int(number("Request Count")),
        failures=int(number("Failure Count")),
        rps=round(number("Requests/s"), 3),
        p50=number("50%"),
        p95=number("95%"),
        p99=number("99%"),
        average=round(number("Average Response Time"), 3),
        maximum=round(number("Max Response Time"), 3),
    )
