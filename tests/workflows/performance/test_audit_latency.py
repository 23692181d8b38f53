"""Latency audits of the test web app: budgets, history, regressions, strict mode."""

from __future__ import annotations

import re
from pathlib import Path

from audits import run_audit, write_config

from tests.cli.harness import Devora
from tests.workflows.performance.perf_webapp import WebApp


def test_a_first_audit_measures_percentiles_and_writes_reports(
    devora: Devora, webapp: WebApp
) -> None:
    webapp.delay = 0.03
    audit = run_audit(
        devora,
        webapp.url,
        "--no-lighthouse",
        "--endpoints",
        "/fast,/slow",
        "--requests",
        "12",
        "--verify-runs",
        "2",
    )
    assert audit.status == "succeeded", audit.error
    assert audit.outputs is not None
    metrics = audit.outputs["metrics"]
    assert metrics["latency:/slow:p50"] >= 30
    assert (
        metrics["latency:/slow:p50"] <= metrics["latency:/slow:p95"] <= metrics["latency:/slow:p99"]
    )
    assert metrics["latency:/fast:p50"] < metrics["latency:/slow:p50"]
    assert metrics["latency:/fast:error-rate"] == 0
    # 12 requests per endpoint per measurement, 3 measurements (profile + 2 verify runs)
    assert webapp.hits["/slow"] == 36
    markdown = audit.read("performance-audit.md")
    assert "No earlier audit of this target" in markdown
    assert "/slow latency p95" in markdown
    assert "No budgets configured" in markdown
    assert "No LLM model is configured" in markdown
    page = audit.read("performance-audit.html")
    assert page.startswith("<!doctype html>")
    assert "<svg" in page
    assert not re.search(r"<(link|script|img)\b|\bsrc=", page)  # self-contained
    assert audit.record()["target"] == webapp.url


def test_a_slower_endpoint_is_a_confirmed_regression_against_the_last_audit(
    devora: Devora, webapp: WebApp, tmp_path: Path
) -> None:
    args = (webapp.url, "--no-lighthouse", "--endpoints", "/slow,/fast", "--requests", "8")
    webapp.delay = 0.01
    first = run_audit(devora, *args, "--verify-runs", "1")
    assert first.status == "succeeded", first.error
    webapp.delay = 0.12
    second = run_audit(devora, *args, "--verify-runs", "2")
    assert second.status == "succeeded", second.error
    assert second.outputs is not None
    assert "latency:/slow:p50" in second.outputs["regressions"]
    assert second.outputs["verdict"].startswith("failed")
    markdown = second.read("performance-audit.md")
    assert f"Compared with audit `{first.run_id}`" in markdown
    assert re.search(
        r"\*\*regression\*\*: /slow latency p50: \d+\.\d ms → \d+ ms \(\+\d+ %\)", markdown
    )
    # the chart of each metric has a point for the first audit and one for this one
    page = second.read("performance-audit.html")
    chart = page.split('aria-label="/slow latency p50"')[1].split("</svg>")[0]
    assert chart.count("<circle") == 2
    record = second.record()
    regressed = {r["metric"]: r for r in record["regressions"]}
    assert "latency:/slow:p50" in regressed
    # p95 of eight requests is about their slowest: on a loaded machine one stalled request
    # of the first audit can put its p95 near the new one, and then, rightly, p95 is no
    # regression (under 10 % worse). Otherwise it must be one.
    before, after = (a.outputs["metrics"]["latency:/slow:p95"] for a in (first, second))  # type: ignore[index]
    assert "latency:/slow:p95" in regressed or before >= after / 2, (before, after)
    # /fast did not change: on a quiet machine it is no regression at all; on a busy one
    # its few milliseconds can move past the 5 ms floor, never by a fraction of /slow's 110
    fast = regressed.get("latency:/fast:p50", {"delta": 0.0})["delta"]
    assert fast < regressed["latency:/slow:p50"]["delta"] / 3


def test_budgets_are_checked_lighthouse_ci_style_and_strict_fails_the_run(
    devora: Devora, webapp: WebApp, tmp_path: Path
) -> None:
    write_config(
        tmp_path,
        """
[performance]
endpoints = ["/slow", "/flaky"]
requests = 6
verify_runs = 1

[performance.assertions]
"latency:/slow:p95" = { maxNumericValue = 5 }
"latency:/slow:p50" = { maxNumericValue = 5000 }
"latency:/flaky:error-rate" = { maxNumericValue = 0, level = "warn" }
"largest-contentful-paint" = { maxNumericValue = 2500 }
""",
    )
    webapp.delay = 0.02
    webapp.failing = True
    audit = run_audit(devora, webapp.url, "--no-lighthouse", "--strict")
    assert audit.status == "failed"
    assert audit.error is not None and "budget(s) broken" in audit.error["message"]
    record = audit.record()  # the reports are written before the run fails
    results = {(b["metric"], b["rule"]): b for b in record["budgets"]}
    assert results[("latency:/slow:p95", "maxNumericValue")]["passed"] is False
    assert results[("latency:/slow:p50", "maxNumericValue")]["passed"] is True
    flaky = results[("latency:/flaky:error-rate", "maxNumericValue")]
    assert flaky["passed"] is False and flaky["actual"] == 1.0 and flaky["level"] == "warn"
    markdown = audit.read("performance-audit.md")
    assert "Asserted but not measured: largest-contentful-paint" in markdown
    assert "| FAIL |" in markdown and "| warn |" in markdown
    assert "**Speed up /slow**" in markdown


def test_without_strict_a_broken_budget_is_reported_and_the_run_succeeds(
    devora: Devora, webapp: WebApp, tmp_path: Path
) -> None:
    write_config(
        tmp_path,
        '[performance.assertions]\n"latency:/slow:p95" = { maxNumericValue = 1 }\n',
    )
    audit = run_audit(
        devora,
        webapp.url,
        "--no-lighthouse",
        "--endpoints",
        "/slow",
        "--requests",
        "3",
        "--verify-runs",
        "1",
    )
    assert audit.status == "succeeded", audit.error
    assert audit.outputs is not None
    assert audit.outputs["broken_budgets"] == ["latency:/slow:p95"]
    assert audit.outputs["passed"] is False


def test_the_cli_summary_gives_the_verdict_headline_and_report(
    devora: Devora, webapp: WebApp
) -> None:
    result = devora(
        "run", "performance-audit", webapp.url, "--no-lighthouse", "--endpoints", "/fast",
        "--requests", "3", "--verify-runs", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"performance audit of {webapp.url}: passed" in result.stdout
    assert "/fast latency p95: " in result.stdout
    assert "performance-audit.html" in result.stdout
    runs = devora("runs").stdout
    assert "verdict" in runs or "passed" in runs
