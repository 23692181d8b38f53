"""One measurement of a target: Lighthouse, latency, asset sizes, benchmarks, as named metrics.

Metric names follow Lighthouse CI's assertion keys where Lighthouse measures them
(`categories:performance`, `largest-contentful-paint`) and extend them for the rest:
`latency:/api:p95`, `assets:total-gzip`, `benchmark:test_sort:median`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from devora.errors import StepError
from devora.tools.checks import AssetSize, measure_assets
from devora.tools.lighthouse import (
    LighthouseResult,
    browser_path,
    lighthouse_command,
    run_lighthouse,
)
from devora.workflows.performance._benchmark import BenchmarkStat, read_benchmarks
from devora.workflows.performance._config import AuditSettings
from devora.workflows.performance._latency import (
    EndpointLatency,
    check_reachable,
    measure_latency,
)

__all__ = ["Measurement", "MetricInfo", "measure", "median_metrics", "metric_info"]

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """How to read a metric: its label, unit, and which way is better."""

    label: str
    unit: str  # "score", "ms", "bytes", "s", "ratio", ""
    higher_is_better: bool = False


_LIGHTHOUSE_LABELS = {
    "first-contentful-paint": ("First Contentful Paint (FCP)", "ms"),
    "largest-contentful-paint": ("Largest Contentful Paint (LCP)", "ms"),
    "total-blocking-time": ("Total Blocking Time (TBT)", "ms"),
    "cumulative-layout-shift": ("Cumulative Layout Shift (CLS)", ""),
    "speed-index": ("Speed Index", "ms"),
}


def metric_info(name: str) -> MetricInfo:
    """The label, unit and direction of a metric name."""
    if name.startswith("categories:"):
        return MetricInfo(f"Lighthouse {name.split(':', 1)[1]} score", "score", True)
    if name in _LIGHTHOUSE_LABELS:
        label, unit = _LIGHTHOUSE_LABELS[name]
        return MetricInfo(label, unit)
    if name.startswith("assets:"):
        return MetricInfo(f"assets, total {name.rsplit('-', 1)[-1]} size", "bytes")
    if name.startswith("latency:"):
        endpoint, _, stat = name[len("latency:") :].rpartition(":")
        if stat == "error-rate":
            return MetricInfo(f"{endpoint} error rate", "ratio")
        return MetricInfo(f"{endpoint} latency {stat}", "ms")
    if name.startswith("benchmark:"):
        test, _, stat = name[len("benchmark:") :].rpartition(":")
        return MetricInfo(f"benchmark {test} {stat}", "s")
    return MetricInfo(name, "")


class Measurement(BaseModel):
    """Everything one measurement found, and its figures as named metrics."""

    model_config = ConfigDict(frozen=True)

    metrics: dict[str, float]
    lighthouse: LighthouseResult | None = None
    latency: tuple[EndpointLatency, ...] = ()
    assets: tuple[AssetSize, ...] = ()
    benchmarks: tuple[BenchmarkStat, ...] = ()
    benchmark_file: str | None = None
    notes: tuple[str, ...] = Field(default=())


async def measure(settings: AuditSettings, log: Log, *, static: bool = True) -> Measurement:
    """Measure the target once; `static` also weighs assets and reads benchmarks."""
    metrics: dict[str, float] = {}
    notes: list[str] = []
    lighthouse = None
    if settings.lighthouse and settings.url:
        lighthouse_command(), browser_path()  # say what is missing before touching the page
        await check_reachable(settings.url, request_timeout=settings.request_timeout)
        log(f"Lighthouse on {settings.url}")
        lighthouse = await run_lighthouse(
            settings.url, categories=settings.categories, time_limit=settings.lighthouse_timeout
        )
        metrics.update({f"categories:{k}": v for k, v in lighthouse.scores.items()})
        metrics.update(lighthouse.metrics)
        notes.extend(f"Lighthouse: {warning}" for warning in lighthouse.warnings)
    latency: list[EndpointLatency] = []
    if settings.endpoints:
        log(f"{settings.requests} requests to each of {len(settings.endpoints)} endpoint(s)")
        latency = await measure_latency(
            settings.url,
            settings.endpoints,
            requests=settings.requests,
            request_timeout=settings.request_timeout,
        )
        for item in latency:
            for stat in ("p50", "p95", "p99"):
                metrics[f"latency:{item.endpoint}:{stat}"] = getattr(item, stat)
            metrics[f"latency:{item.endpoint}:error-rate"] = round(item.error_rate, 4)
    assets: list[AssetSize] = []
    benchmarks: list[BenchmarkStat] = []
    benchmark_file = None
    if static:
        assets = _weigh_assets(settings, notes)
        for kind in ("raw", "gzip", "brotli"):
            values = [getattr(size, kind) for size in assets]
            if assets and all(value is not None for value in values):
                metrics[f"assets:total-{kind}"] = float(sum(values))
        path, benchmarks = read_benchmarks(Path(settings.root), settings.benchmark_json)
        benchmark_file = str(path) if path else None
        for bench in benchmarks:
            metrics[f"benchmark:{bench.name}:median"] = bench.median
    if not metrics:
        raise StepError(
            "nothing to measure: no url, no endpoints, no build output, no benchmark results",
            hint="pass --url http://host:port/, --endpoints /a,/b or --build-dir dist "
            "(or set them under [performance] in devora.toml)",
        )
    return Measurement(
        metrics=metrics,
        lighthouse=lighthouse,
        latency=tuple(latency),
        assets=tuple(assets),
        benchmarks=tuple(benchmarks),
        benchmark_file=benchmark_file,
        notes=tuple(notes),
    )


def _weigh_assets(settings: AuditSettings, notes: list[str]) -> list[AssetSize]:
    if settings.build_dir is None:
        return []
    directory = Path(settings.root, settings.build_dir)
    if not directory.is_dir():
        raise StepError(
            f"build directory {directory} does not exist",
            hint="build the front end first (npm run build) or fix --build-dir",
        )
    sizes = measure_assets(directory)
    if sizes and sizes[0].brotli is None:
        notes.append("brotli sizes not measured: the brotli module is not installed")
    return sizes


_GROUPS = ("categories:", "", "latency:", "assets:", "benchmark:")


def metric_order(name: str) -> tuple[int, str]:
    """Reports list scores, then Lighthouse's lab metrics, latency, assets, benchmarks."""
    for index, prefix in enumerate(_GROUPS):
        if prefix and name.startswith(prefix):
            return index, name
    return 1, name


def median_metrics(measurements: Sequence[Measurement]) -> dict[str, float]:
    """Each metric's median over the measurements that have it."""
    names = sorted({name for m in measurements for name in m.metrics}, key=metric_order)
    return {
        name: float(statistics.median(m.metrics[name] for m in measurements if name in m.metrics))
        for name in names
    }
