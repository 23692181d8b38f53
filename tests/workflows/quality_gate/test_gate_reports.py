"""The four report formats, written from a real gate report on the example project."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest
from gate_projects import SARIF_SCHEMA, copy_example, tool_path

from devora.errors import StepError
from devora.tools import Finding, Level
from devora.tools.checks import detect_project
from devora.workflows.quality_gate import (
    Category,
    GateConfig,
    GateReport,
    judge,
    load_gate_config,
    plan_checks,
    render_json,
    render_junit,
    render_markdown,
    render_sarif,
    write_reports,
)
from devora.workflows.quality_gate._models import CategoryRun, Detection
from devora.workflows.quality_gate._running import run_category


async def _gate_report(root: Path) -> GateReport:
    profile = detect_project(root, search_path=tool_path())
    config = load_gate_config(profile)
    detection = Detection(profile=profile, config=config, checks=plan_checks(profile))
    runs: list[CategoryRun] = await asyncio.gather(
        *(
            run_category(c, detection.names(c), profile, config, None, "", lambda _: None)
            for c in Category
            if detection.names(c)
        )
    )
    return judge(detection, runs)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    """The gate's report on a copy of examples/python-project, from the real tools."""
    root = copy_example(tmp_path_factory.mktemp("reports") / "python-project")
    return asyncio.run(_gate_report(root))


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(report: GateReport) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(render_sarif(report))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0"
    # One run per tool (code scanning refuses two runs of one tool), every finding in it.
    tools = [run["tool"]["driver"]["name"] for run in log["runs"]]
    assert tools == sorted(set(tools), key=tools.index)
    assert set(tools) == {"mypy", "ruff", "pytest", "bandit", "pip-audit"}
    results = [result for run in log["runs"] for result in run["results"]]
    assert len(results) == len(report.findings) == 9
    for run in log["runs"]:
        rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        for result in run["results"]:
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
            location = result["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uriBaseId"] == "SRCROOT"
    mypy = next(r for run in log["runs"] for r in run["results"] if r["ruleId"] == "assignment")
    assert mypy["level"] == "error"
    region = mypy["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 38
    bandit = next(r for run in log["runs"] for r in run["results"] if r["ruleId"] == "B105")
    assert bandit["level"] == "note" and bandit["properties"]["severity"] == "LOW"


def test_sarif_places_a_finding_without_a_file_on_the_manifest(report: GateReport) -> None:
    vulnerable = Finding(
        tool="pip-audit",
        rule="PYSEC-2099-1",
        level=Level.ERROR,
        message="requests 1.0 has a known vulnerability | fixed in 2.0",
    )
    changed = report.model_copy(
        update={
            "findings": (*report.findings, vulnerable),
            "by_check": {**report.by_check, "pip-audit": (vulnerable,)},
        }
    )
    log = json.loads(render_sarif(changed))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []
    audit = next(run for run in log["runs"] if run["tool"]["driver"]["name"] == "pip-audit")
    location = audit["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "pyproject.toml", "uriBaseId": "SRCROOT"}}
    # And the Markdown table keeps the message in its cell.
    assert "known vulnerability \\| fixed in 2.0" in render_markdown(changed)


def test_json_has_the_score_the_checks_and_the_findings(report: GateReport) -> None:
    data = json.loads(render_json(report))
    assert data["score"] == report.score and data["passed"] is False
    for check in data["checks"]:
        assert {"name", "tool", "status", "counts"} <= set(check)
        assert set(check["counts"]) >= {"error", "warning", "info", "total"}
    assert len(data["findings"]) == 9
    for finding in data["findings"]:
        assert {"check", "tool", "rule", "level", "file", "line", "message"} <= set(finding)
    totals = {c["name"]: c["counts"]["total"] for c in data["checks"]}
    per_check: dict[str, int] = {}
    for finding in data["findings"]:
        per_check[finding["check"]] = per_check.get(finding["check"], 0) + 1
    assert per_check == {name: n for name, n in totals.items() if n}


def test_junit_has_a_suite_per_check_and_a_failure_per_finding(report: GateReport) -> None:
    root = ElementTree.fromstring(render_junit(report))
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == ["quality-gate", *(check.name for check in report.checks)]
    failures = root.findall("./testsuite/testcase/failure")
    failed_conditions = sum(1 for c in report.conditions if not c.passed)
    score_failure = 1 if report.score < report.threshold else 0
    assert len(failures) == len(report.findings) + failed_conditions + score_failure
    assert int(root.get("failures", "-1")) == len(failures)
    assert int(root.get("tests", "-1")) == len(root.findall("./testsuite/testcase"))
    ruff = suites["ruff-check"]
    assert ruff.get("failures") == "5"
    case = ruff.find("testcase")
    assert case is not None and case.get("file") == "src/inventory/stock.py"
    assert suites["pip-audit"].get("failures") == "0"


def test_markdown_is_a_pull_request_comment(report: GateReport) -> None:
    text = render_markdown(report)
    first = text.splitlines()[0]
    assert first.startswith("## ❌ Devora quality gate failed") and f"{report.score}/100" in first
    assert "| ruff-check | ruff" in text
    assert "`src/inventory/stock.py:38`" in text
    assert "**Why it failed**" in text


def test_write_reports_writes_every_format(report: GateReport, tmp_path: Path) -> None:
    written = write_reports(report, tmp_path / "out" / "nested")
    assert sorted(Path(path).name for path in written.values()) == [
        "report.json",
        "report.md",
        "report.sarif",
        "report.xml",
    ]
    assert all(Path(path).is_file() for path in written.values())


def test_write_reports_where_it_cannot_is_a_step_error(report: GateReport, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way", encoding="utf-8")
    with pytest.raises(StepError, match="cannot write the reports into"):
        write_reports(report, blocker / "reports")


def test_the_default_config_is_what_the_docs_say() -> None:
    config = GateConfig()
    assert config.threshold == 80 and config.min_coverage == 80
    assert config.weights.model_dump() == {
        "typecheck": 20,
        "lint": 20,
        "tests": 30,
        "security": 20,
        "performance": 10,
    }
    docs = (Path(__file__).resolve().parents[3] / "docs" / "quality-gate.md").read_text("utf-8")
    for key, value in config.weights.model_dump().items():
        assert f"| `{key}` | {value:g} |" in docs


def test_sarif_uris_start_at_the_repository_top(report: GateReport) -> None:
    in_monorepo = report.model_copy(update={"repository": ("/repo", "services/inventory/")})
    log = json.loads(render_sarif(in_monorepo))
    run = next(run for run in log["runs"] if run["tool"]["driver"]["name"] == "mypy")
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == "file:///repo/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "services/inventory/src/inventory/stock.py"
