"""A Lighthouse report (LHR) read into what Devora keeps: scores, lab metrics, opportunities."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from devora.errors import StepError, TimedOut

__all__ = [
    "LAB_METRICS",
    "LighthouseFailedError",
    "LighthouseResult",
    "LighthouseTimeoutError",
    "Opportunity",
    "parse_lighthouse_json",
]

# Lighthouse audit ids of the lab metrics, as in `audits[id].numericValue`.
LAB_METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)


class LighthouseFailedError(StepError):
    """Lighthouse ran but gave no usable report."""

    code = "lighthouse_failed"

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(
            f"Lighthouse could not audit {url}: {problem}",
            hint="check that the URL answers in a browser (curl -I URL) and that Chromium "
            "starts: CHROME_PATH=/usr/bin/chromium chromium --headless --no-sandbox --version",
        )


class LighthouseTimeoutError(LighthouseFailedError, TimedOut):
    """Lighthouse gave no report within its time limit and was killed."""

    code = "lighthouse_timeout"

    def __init__(self, url: str, limit: float) -> None:
        self.limit = limit
        self.what = f"Lighthouse on {url}"
        super().__init__(url, f"no report after {limit:g} s")


class Opportunity(BaseModel):
    """A Lighthouse opportunity audit: what to change, and the time it would save."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    savings_ms: float
    savings_bytes: float | None = None
    display_value: str | None = None


class LighthouseResult(BaseModel):
    """What Devora keeps of a Lighthouse report."""

    model_config = ConfigDict(frozen=True)

    version: str
    url: str
    scores: dict[str, float]
    metrics: dict[str, float]
    opportunities: tuple[Opportunity, ...]
    warnings: tuple[str, ...] = ()


def parse_lighthouse_json(lhr: dict[str, Any], url: str) -> LighthouseResult:
    """Category scores, lab metrics and opportunities from a Lighthouse result (LHR)."""
    runtime = lhr.get("runtimeError")
    if isinstance(runtime, dict) and runtime.get("code"):
        raise LighthouseFailedError(url, f"{runtime.get('code')}: {runtime.get('message', '')}")
    audits: dict[str, Any] = lhr.get("audits") or {}
    scores = {
        name: float(category["score"])
        for name, category in (lhr.get("categories") or {}).items()
        if isinstance(category, dict) and category.get("score") is not None
    }
    if "performance" in (lhr.get("categories") or {}) and "performance" not in scores:
        raise LighthouseFailedError(url, "the page could not be scored (performance score null)")
    metrics = {
        metric: float(audits[metric]["numericValue"])
        for metric in LAB_METRICS
        if isinstance(audits.get(metric), dict) and audits[metric].get("numericValue") is not None
    }
    opportunities = [
        Opportunity(
            id=audit_id,
            title=str(audit.get("title", audit_id)),
            savings_ms=float(audit["details"].get("overallSavingsMs") or 0),
            savings_bytes=audit["details"].get("overallSavingsBytes"),
            display_value=audit.get("displayValue"),
        )
        for audit_id, audit in audits.items()
        if isinstance(audit, dict)
        and isinstance(audit.get("details"), dict)
        and audit["details"].get("type") == "opportunity"
    ]
    opportunities = [o for o in opportunities if o.savings_ms > 0 or (o.savings_bytes or 0) > 0]
    opportunities.sort(key=lambda o: (-o.savings_ms, -(o.savings_bytes or 0)))
    return LighthouseResult(
        version=str(lhr.get("lighthouseVersion", "?")),
        url=str(lhr.get("finalDisplayedUrl") or lhr.get("finalUrl") or url),
        scores=scores,
        metrics=metrics,
        opportunities=tuple(opportunities),
        warnings=tuple(str(w) for w in lhr.get("runWarnings") or ()),
    )
