"""Lighthouse on the test web app's page, driving the real Chromium; and what happens without."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from audits import run_audit, write_config

from devora.tools.lighthouse import DEFAULT_BROWSER, LIGHTHOUSE_SCRIPT
from tests.cli.harness import Devora
from tests.conftest import require, require_executable
from tests.workflows.performance.perf_webapp import WebApp

LAB = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)


@pytest.fixture
def lighthouse_ready() -> None:
    """Node, Lighthouse (scripts/bootstrap) and Chromium (scripts/install-browser) are there."""
    require_executable("node", "apt-get install nodejs npm")
    require(LIGHTHOUSE_SCRIPT.is_file(), "Lighthouse is not installed (run scripts/bootstrap)")
    browser = os.environ.get("CHROME_PATH", DEFAULT_BROWSER)
    require(Path(browser).is_file(), "Chromium is not installed (run scripts/install-browser)")


@pytest.mark.timeout(300)
def test_lighthouse_scores_metrics_and_opportunities_of_a_real_page(
    lighthouse_ready: None, devora: Devora, webapp: WebApp, tmp_path: Path
) -> None:
    write_config(
        tmp_path,
        """
[performance]
categories = ["performance", "seo"]

[performance.assertions]
"categories:performance" = { minScore = 0.5 }
"largest-contentful-paint" = { maxNumericValue = 1 }
""",
    )
    audit = run_audit(devora, webapp.url, "--verify-runs", "1")
    assert audit.status == "succeeded", audit.error
    assert audit.outputs is not None
    metrics = audit.outputs["metrics"]
    for name in LAB:
        assert name in metrics, name
    assert metrics["largest-contentful-paint"] > 0
    assert metrics["first-contentful-paint"] <= metrics["largest-contentful-paint"]
    assert 0 <= metrics["categories:performance"] <= 1
    assert "categories:seo" in metrics and "categories:accessibility" not in metrics
    # Lighthouse loaded the page, its stylesheet and its script, twice (profile + verify)
    assert webapp.hits["/app.css"] >= 2 and webapp.hits["/app.js"] >= 2
    # its own opportunities for this page: 400 unused CSS rules, served uncompressed
    titles = audit.outputs["recommendations"]
    assert "Reduce unused CSS" in titles
    assert audit.outputs["broken_budgets"] == ["largest-contentful-paint"]
    record = audit.record()
    assert record["lighthouse_version"].startswith("12.")
    markdown = audit.read("performance-audit.md")
    assert (
        "Largest Contentful Paint (LCP)" in markdown and "Lighthouse performance score" in markdown
    )
    assert "Lighthouse audit `unused-css-rules`" in markdown
    page = audit.read("performance-audit.html")
    assert 'aria-label="Cumulative Layout Shift (CLS)"' in page


def test_a_missing_chromium_says_what_to_install(
    devora: Devora, webapp: WebApp, tmp_path: Path
) -> None:
    require_executable("node", "apt-get install nodejs npm")
    require(LIGHTHOUSE_SCRIPT.is_file(), "Lighthouse is not installed (run scripts/bootstrap)")
    audit = run_audit(devora, webapp.url, CHROME_PATH=str(tmp_path / "no" / "chromium"))
    assert audit.status == "failed"
    assert audit.error is not None
    assert "chromium" in audit.error["message"] and "is not installed" in audit.error["message"]
    assert "scripts/install-browser" in audit.error["hint"]
    assert "apt-get install chromium" in audit.error["hint"]
    assert webapp.hits.get("/", 0) == 0


def test_a_missing_node_says_what_to_install(
    devora: Devora, webapp: WebApp, tmp_path: Path
) -> None:
    require(LIGHTHOUSE_SCRIPT.is_file(), "Lighthouse is not installed (run scripts/bootstrap)")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    audit = run_audit(devora, webapp.url, PATH=str(empty))
    assert audit.status == "failed"
    assert audit.error is not None
    assert audit.error["message"] == "node is not installed"
    assert "apt-get install nodejs npm" in audit.error["hint"]


def test_an_unreachable_page_is_reported_before_lighthouse_starts(
    devora: Devora, unused_port: int
) -> None:
    audit = run_audit(devora, f"http://127.0.0.1:{unused_port}/")
    assert audit.status == "failed"
    assert audit.error is not None
    assert f"http://127.0.0.1:{unused_port}/ is unreachable" in audit.error["message"]
    assert "start the service" in audit.error["hint"]
