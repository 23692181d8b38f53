"""The score and the conditions, from results the real checks produced."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from gate_projects import make_clean_project, tool_path

from devora.tools.checks import CheckStatus, detect_project
from devora.workflows.quality_gate import (
    Category,
    GateConfig,
    GateReport,
    judge,
    load_gate_config,
    plan_checks,
)
from devora.workflows.quality_gate._models import CategoryRun, Detection
from devora.workflows.quality_gate._running import run_category


async def gate(root: Path, search_path: str, config: GateConfig | None = None) -> GateReport:
    profile = detect_project(root, search_path=search_path)
    config = config or load_gate_config(profile)
    detection = Detection(profile=profile, config=config, checks=plan_checks(profile))
    runs: list[CategoryRun] = await asyncio.gather(
        *(
            run_category(c, detection.names(c), profile, config, None, "", lambda _: None)
            for c in Category
            if detection.names(c)
        )
    )
    return judge(detection, runs)


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    root.mkdir()
    return make_clean_project(root)


async def test_a_clean_project_scores_100(clean: Path) -> None:
    report = await gate(clean, tool_path())
    assert report.passed and report.score == 100
    assert [c.category for c in report.categories] == [
        Category.TYPECHECK,
        Category.LINT,
        Category.TESTS,
        Category.SECURITY,
    ]
    # Performance does not apply to a Python project: the other weights share its 10 points.
    assert sum(c.weight for c in report.categories) == pytest.approx(100, abs=0.05)


async def test_missing_tools_are_not_run_and_score_nothing(clean: Path, tmp_path: Path) -> None:
    nothing = tmp_path / "empty-bin"
    nothing.mkdir()
    report = await gate(clean, str(nothing))
    assert {c.status for c in report.checks} == {CheckStatus.NOT_RUN.value}
    assert {c.reason for c in report.checks if c.name == "mypy"} == {
        "not run: install mypy (pip install mypy)"
    }
    assert report.score == 0 and not report.passed
    assert report.reasons[0] == "score 0 is under the threshold 80"
    assert all(c.detail.startswith("not checked: not run: install") for c in report.categories)


async def test_findings_cost_their_category_points(clean: Path) -> None:
    module = clean / "src" / "calc" / "__init__.py"
    # Two unused imports: two lint errors, 10 % of the lint points each.
    docstring, rest = module.read_text("utf-8").split("\n", 1)
    module.write_text(f"{docstring}\n\nimport os\nimport sys\n{rest}", encoding="utf-8")
    report = await gate(clean, tool_path())
    lint = next(c for c in report.categories if c.category is Category.LINT)
    assert lint.fraction == pytest.approx(0.8)
    assert report.score == round(100 - lint.weight * 0.2)
    # Weights and penalties come from the project's config.
    pyproject = clean / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8")
        + "\n[tool.devora.quality_gate]\nthreshold = 95\n"
        + "[tool.devora.quality_gate.weights]\ntypecheck = 0\ntests = 0\nsecurity = 0\n"
        + "[tool.devora.quality_gate.penalties]\nerror = 25\n",
        encoding="utf-8",
    )
    report = await gate(clean, tool_path())
    assert [(c.category, c.weight) for c in report.categories if c.weight] == [(Category.LINT, 100)]
    assert report.score == 50 and not report.passed
    assert report.reasons == ("score 50 is under the threshold 95",)


async def test_a_failing_test_and_low_coverage_are_conditions(clean: Path) -> None:
    module = clean / "src" / "calc" / "__init__.py"
    module.write_text(
        module.read_text("utf-8")
        + "\n\ndef unused_branch(flag: bool) -> int:\n"
        + '    """Never tested."""\n'
        + "    if flag:\n        return 1\n    return 2\n",
        encoding="utf-8",
    )
    test = clean / "tests" / "test_calc.py"
    test.write_text(test.read_text("utf-8").replace("== 5", "== 6"), encoding="utf-8")
    report = await gate(clean, tool_path())
    conditions = {c.name: c for c in report.conditions}
    assert not conditions["no failing test"].passed
    assert conditions["no failing test"].detail == "1 test(s) fail"
    coverage = conditions["coverage >= 80 %"]
    assert not coverage.passed and coverage.detail.startswith("coverage is ")
    tests = next(c for c in report.categories if c.category is Category.TESTS)
    assert "1/2 tests pass" in tests.detail
    assert not report.passed


async def test_a_high_severity_security_finding_fails_whatever_the_score(clean: Path) -> None:
    (clean / "src" / "calc" / "shell.py").write_text(
        '"""Run a command."""\n\nimport subprocess\n\n\n'
        "def run(command: str) -> int:\n"
        '    """Run it through the shell."""\n'
        "    return subprocess.call(command, shell=True)\n",
        encoding="utf-8",
    )
    report = await gate(clean, tool_path())
    high = [f for f in report.findings if f.tool == "bandit" and f.severity == "HIGH"]
    assert [f.rule for f in high] == ["B602"]
    condition = next(c for c in report.conditions if c.name.startswith("no high-severity"))
    assert not condition.passed and "B602 at src/calc/shell.py:8" in condition.detail
    assert report.score >= 80  # the score alone would pass
    assert not report.passed
    # A project may turn the condition off.
    relaxed = GateConfig(fail_on_high_security=False, min_coverage=0)
    assert (await gate(clean, tool_path(), relaxed)).passed


async def test_a_crashed_test_run_never_reads_all_tests_pass(clean: Path) -> None:
    # Seen on click 8.1.7: a collection error (pytest exit 2) showed "ok no failing test:
    # all tests pass" beside the crash.
    test = clean / "tests" / "test_calc.py"
    test.write_text(test.read_text("utf-8") + "\nimport no_such_module_anywhere\n", "utf-8")
    report = await gate(clean, tool_path())
    [pytest_check] = [c for c in report.checks if c.name == "pytest"]
    assert pytest_check.status == CheckStatus.CRASHED.value
    condition = next(c for c in report.conditions if c.name == "no failing test")
    assert not condition.passed
    assert "all tests pass" not in condition.detail
    assert "pytest crashed" in condition.detail
    assert not report.passed
