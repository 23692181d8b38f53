"""The audit's judging rules: percentiles, budgets, changes, noise, and the SVG chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from devora.config import ConfigError
from devora.workflows.performance import (
    Analysis,
    Assertion,
    AuditInputs,
    Measurement,
    metric_info,
    percentile,
    resolve_audit_settings,
)
from devora.workflows.performance._analysis import (
    check_budgets,
    compare_metrics,
    validate_assertions,
)
from devora.workflows.performance._html import svg_chart
from devora.workflows.performance._verify import verify_measurements


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_budgets_follow_lighthouse_ci_semantics() -> None:
    metrics = {"categories:performance": 0.72, "largest-contentful-paint": 3100.0}
    assertions = {
        "categories:performance": Assertion.model_validate({"minScore": 0.9}),
        "largest-contentful-paint": Assertion.model_validate(
            {"maxNumericValue": 4000, "level": "warn"}
        ),
        "total-blocking-time": Assertion.model_validate({"maxNumericValue": 200}),
    }
    results, unmeasured = check_budgets(metrics, assertions)
    by_metric = {r.metric: r for r in results}
    assert by_metric["categories:performance"].passed is False
    assert by_metric["categories:performance"].rule == "minScore"
    assert by_metric["largest-contentful-paint"].passed is True
    assert unmeasured == ["total-blocking-time"]


def test_changes_respect_tolerance_direction_and_unit_floors() -> None:
    previous = {
        "categories:performance": 0.95,
        "largest-contentful-paint": 2000.0,
        "cumulative-layout-shift": 0.0,
        "latency:/a:p95": 10.0,
        "assets:total-gzip": 50_000.0,
    }
    current = {
        "categories:performance": 0.80,  # -16 %: worse, a score goes down
        "largest-contentful-paint": 2100.0,  # +5 %: within the 10 % tolerance
        "cumulative-layout-shift": 0.001,  # under the floor for unitless metrics
        "latency:/a:p95": 13.0,  # +30 %, and 3 ms is under the 5 ms floor
        "assets:total-gzip": 30_000.0,  # -40 %: an improvement
    }
    changes = {c.metric: c for c in compare_metrics(previous, current, 0.10)}
    assert set(changes) == {"categories:performance", "assets:total-gzip"}
    assert changes["categories:performance"].regressed is True
    assert changes["assets:total-gzip"].regressed is False
    assert changes["assets:total-gzip"].relative == pytest.approx(-0.4)


def test_a_regression_the_medians_do_not_confirm_is_noise() -> None:
    previous = {"latency:/a:p95": 100.0, "latency:/b:p95": 100.0}
    first = Measurement(metrics={"latency:/a:p95": 180.0, "latency:/b:p95": 190.0})
    again = [
        Measurement(metrics={"latency:/a:p95": 101.0, "latency:/b:p95": 185.0}),
        Measurement(metrics={"latency:/a:p95": 99.0, "latency:/b:p95": 200.0}),
    ]
    seen = compare_metrics(previous, first.metrics, 0.1)
    analysis = Analysis(budgets=(), changes=tuple(seen))
    verified = verify_measurements([first, *again], analysis, {}, previous, 0.1)
    assert verified.medians["latency:/a:p95"] == 101.0
    assert verified.noise == ("latency:/a:p95",)
    assert verified.confirmed == ("latency:/b:p95",)
    assert verified.ranges["latency:/b:p95"] == (185.0, 200.0)
    assert verified.passed is False


def test_metric_names_read_as_labels_units_and_directions() -> None:
    assert metric_info("categories:seo").higher_is_better is True
    assert metric_info("cumulative-layout-shift").unit == ""
    assert metric_info("latency:http://h/x:y:p99").label == "http://h/x:y latency p99"
    assert metric_info("benchmark:tests/test_a.py::test_b:median").unit == "s"


def test_the_chart_is_well_formed_svg_with_one_point_per_audit() -> None:
    svg = svg_chart(
        "largest-contentful-paint",
        [("2026-01-01", 1500.0), ("2026-01-02", 1900.0), ("this audit <now>", 1700.0)],
    )
    root = ET.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{namespace}svg"
    circles = root.findall(f".//{namespace}circle")
    assert len(circles) == 3
    heights = [float(c.get("cy", "0")) for c in circles]
    assert heights[1] < heights[2] < heights[0]  # higher values are drawn higher up
    assert "this audit <now>: 1,700 ms" in "".join(circles[2].itertext())
    single = ET.fromstring(svg_chart("categories:performance", [("now", 0.9)]))
    assert len(single.findall(f".//{namespace}circle")) == 1


def test_lighthouse_ci_assertion_forms_are_read(tmp_path: Path) -> None:
    (tmp_path / "devora.toml").write_text(
        """
[performance.assertions]
"categories:performance" = ["warn", { minScore = 0.8 }]
"largest-contentful-paint" = { maxNumericValue = 2500 }
"total-blocking-time" = "off"
"speed-index" = ["off", { maxNumericValue = 1 }]
"""
    )
    settings = resolve_audit_settings(AuditInputs(path=str(tmp_path)))
    assert set(settings.assertions) == {"categories:performance", "largest-contentful-paint"}
    performance = settings.assertions["categories:performance"]
    assert (performance.level, performance.min_score) == ("warn", 0.8)
    assert settings.assertions["largest-contentful-paint"].level == "error"


def test_min_score_on_a_timing_is_a_config_error(tmp_path: Path) -> None:
    assertions = {"largest-contentful-paint": Assertion.model_validate({"minScore": 0.9})}
    with pytest.raises(ConfigError, match="use maxNumericValue"):
        validate_assertions(assertions, str(tmp_path / "devora.toml"))
    validate_assertions({"categories:seo": Assertion.model_validate({"minScore": 0.9})}, None)
