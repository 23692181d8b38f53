"""The quality gate end to end: the real `devora run quality-gate` on real projects and tools."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gate_projects import EXAMPLE_FINDINGS, git, init_repo

from devora.tools.checks import tree_fingerprint
from tests.cli.harness import Devora

pytestmark = pytest.mark.slow


def gate(
    devora: Devora, *args: str, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return devora("run", "quality-gate", *args, timeout=timeout, **env)


def report_of(directory: Path) -> dict[str, Any]:
    data = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def found(report: dict[str, Any], check: str) -> list[tuple[str, str | None, int | None]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return sorted((f["rule"], f["file"], f["line"]) for f in findings if f["check"] == check)


async def test_the_example_fails_with_its_known_findings(
    devora: Devora, example: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    before = await tree_fingerprint(example)
    out = tmp_path / "reports"
    result = gate(devora, str(example), "--report-dir", str(out), env=path_env)

    assert result.returncode == 1, result.stdout + result.stderr
    report = report_of(out)
    assert report["passed"] is False
    assert isinstance(report["score"], int) and 0 < report["score"] < 80
    for check, expected in EXAMPLE_FINDINGS.items():
        got = found(report, check)
        assert len(got) == len(expected), (check, got)
        for (rule, file, line), (want_rule, want_file, want_line) in zip(
            got, sorted(expected, key=lambda f: (f[0], f[1], f[2] or 0)), strict=True
        ):
            assert (rule, file) == (want_rule, want_file)
            assert want_line is None or line == want_line
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["ruff-check"]["counts"]["error"] == 5
    assert checks["pip-audit"]["status"] == "passed"
    coverage = checks["pytest"]["metrics"]["coverage_percent"]
    assert 55 < coverage < 70  # the example's README: about 63 %
    conditions = {c["name"]: c["passed"] for c in report["conditions"]}
    assert conditions == {
        "no check crashed": True,
        "every required check ran": True,
        "coverage >= 80 %": False,
        "no failing test": False,
        "no high-severity security finding": True,
    }
    # The terminal summary: the score, a row per check, the top findings.
    assert f"Quality gate: {report['score']}/100" in result.stdout
    assert "FAILED" in result.stdout
    for name in EXAMPLE_FINDINGS:
        assert name in result.stdout
    assert "src/inventory/stock.py:38" in result.stdout
    # Nothing in the project was written.
    assert await tree_fingerprint(example) == before


def test_a_clean_project_passes_with_100(
    devora: Devora, clean: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    result = gate(devora, str(clean), "--report-dir", str(out), env=path_env)

    assert result.returncode == 0, result.stdout + result.stderr
    report = report_of(out)
    assert report["passed"] is True
    assert report["score"] == 100
    assert report["findings"] == []
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses == {
        "mypy": "passed",
        "ruff-check": "passed",
        "ruff-format": "passed",
        "pytest": "passed",
        "bandit": "passed",
        "pip-audit": "passed",
    }
    assert "PASSED" in result.stdout


def test_a_second_run_on_an_unchanged_tree_reuses_results(
    devora: Devora, example: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    first = gate(devora, str(example), "--report-dir", str(tmp_path / "one"), env=path_env)
    second = gate(devora, str(example), "--report-dir", str(tmp_path / "two"), env=path_env)

    assert first.returncode == second.returncode == 1
    assert "cached:" not in first.stdout
    assert "cached: mypy, ruff-check, ruff-format, pytest, bandit, pip-audit" in second.stdout
    one, two = report_of(tmp_path / "one"), report_of(tmp_path / "two")
    assert one["score"] == two["score"]
    assert one["findings"] == two["findings"]
    assert all(c["cached"] for c in two["checks"])

    # A changed file is a changed tree: nothing is reused.
    (example / "src" / "inventory" / "report.py").write_text("X = 1\n", encoding="utf-8")
    third = gate(devora, str(example), "--report-dir", str(tmp_path / "three"), env=path_env)
    assert not any(c["cached"] for c in report_of(tmp_path / "three")["checks"])
    assert "cached:" not in third.stdout
    # --no-cache asks every tool again.
    fourth = gate(devora, str(example), "--no-cache", env=path_env)
    assert "cached:" not in fourth.stdout

    # Each run keeps its score: `devora runs` lists the trend.
    listing = devora("runs", "--workflow", "quality-gate", "--json", **path_env)
    assert listing.returncode == 0, listing.stderr
    summaries = [run["summary"] for run in json.loads(listing.stdout)]
    assert len(summaries) == 4
    assert {summary["passed"] for summary in summaries} == {False}
    scores = [report_of(tmp_path / name)["score"] for name in ("one", "two", "three")]
    assert all(score in [summary["score"] for summary in summaries] for score in scores)


def test_changed_judges_only_the_new_lines(
    devora: Devora, clean: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    module = clean / "src" / "calc" / "__init__.py"
    # An old problem, committed: an unused import at the top.
    module.write_text("import os\n" + module.read_text(encoding="utf-8"), encoding="utf-8")
    init_repo(clean)
    # One new line with a new problem: an unused local variable.
    module.write_text(
        module.read_text(encoding="utf-8").replace(
            "    return left + right", "    unused = 1\n    return left + right"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    result = gate(devora, str(clean), "--changed", "--report-dir", str(out), env=path_env)

    report = report_of(out)
    assert report["changed_only"] is True and report["base"] == "HEAD"
    assert found(report, "ruff-check") == [("F841", "src/calc/__init__.py", 7)]
    checks = {c["name"]: c for c in report["checks"]}
    counts = checks["ruff-check"]["counts"]
    assert counts["error"] == counts["total"] == 1
    assert counts["all"] >= 2  # the old unused import is still there, but not judged
    assert "new code since HEAD" in result.stdout

    # Committed, the change is old code: nothing new is left to judge, the gate passes.
    git(clean, "commit", "-q", "-am", "the change")
    again = gate(devora, str(clean), "--changed", "--report-dir", str(out), env=path_env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert report_of(out)["findings"] == []
    # Against the first commit, the change is new again.
    base = git(clean, "rev-list", "--max-parents=0", "HEAD").strip()
    third = gate(
        devora, str(clean), "--changed", "--base", base, "--report-dir", str(out), env=path_env
    )
    assert found(report_of(out), "ruff-check") == [("F841", "src/calc/__init__.py", 7)]
    assert third.returncode == 0  # one lint error costs points, not the verdict
    assert report_of(out)["score"] == 98


def test_changed_outside_git_is_a_clear_error(
    devora: Devora, clean: Path, path_env: dict[str, str]
) -> None:
    result = gate(devora, str(clean), "--changed", env=path_env)
    assert result.returncode == 1
    assert "--changed needs a git repository" in result.stdout + result.stderr
    assert "git init" in result.stdout + result.stderr
    assert "Quality gate:" not in result.stdout


def test_a_base_git_does_not_know_is_a_clear_error(
    devora: Devora, clean: Path, path_env: dict[str, str]
) -> None:
    init_repo(clean)
    result = gate(devora, str(clean), "--changed", "--base", "no-such-branch", env=path_env)
    assert result.returncode == 1
    assert "--base no-such-branch is not a commit git knows" in result.stdout + result.stderr


async def test_fix_applies_the_safe_fixes_and_reports_the_diff(
    devora: Devora, example: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    original = (example / "src" / "inventory" / "stock.py").read_text(encoding="utf-8")
    out = tmp_path / "reports"
    result = gate(devora, str(example), "--fix", "--report-dir", str(out), env=path_env)

    assert result.returncode == 1  # the failing test and the type error remain
    report = report_of(out)
    fix = report["fix"]
    assert isinstance(fix, dict)
    assert fix["changed_files"] == ["src/inventory/report.py", "src/inventory/stock.py"]
    assert "-import os\n" in fix["diff"] and "-import sys\n" in fix["diff"]
    assert "+++ b/src/inventory/report.py" in fix["diff"]
    assert fix["fixed_findings"] == 3  # two unused imports, one file formatted
    assert found(report, "ruff-check") == [
        ("B006", "src/inventory/stock.py", 40),
        ("E741", "src/inventory/stock.py", 42),
        ("F841", "src/inventory/stock.py", 43),
    ]
    assert found(report, "ruff-format") == []
    # mypy reported on a fixed file: it was run again, and its line moved with the fix.
    assert found(report, "mypy") == [("assignment", "src/inventory/stock.py", 36)]
    fixed = (example / "src" / "inventory" / "stock.py").read_text(encoding="utf-8")
    assert "import os" in original and "import os" not in fixed
    assert "--fix changed 2 file(s)" in result.stdout
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "```diff" in markdown and "-import os" in markdown


def test_fix_without_anything_fixable_changes_nothing(
    devora: Devora, clean: Path, path_env: dict[str, str]
) -> None:
    result = devora("run", "quality-gate", str(clean), "--fix", "--json", timeout=240, **path_env)
    assert result.returncode == 0, result.stdout + result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    skipped = [
        e for e in events if e.get("kind") == "step.finished" and e.get("step_id") == "autofix"
    ]
    assert skipped and skipped[0]["data"]["status"] == "skipped"


async def test_dry_run_fix_plans_and_writes_nothing(
    devora: Devora, example: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    before = await tree_fingerprint(example)
    out = tmp_path / "reports"
    result = gate(
        devora, str(example), "--fix", "--dry-run", "--report-dir", str(out), env=path_env
    )
    assert "plan autofix: would run ruff-check, ruff-format on 2 file(s)" in result.stdout
    assert await tree_fingerprint(example) == before
    assert not out.exists()  # a dry-run writes no file: the reports stay run artifacts
    # The verdict is of the unfixed tree: the example fails, so the dry-run exits 1 too.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "step verdict: quality gate failed (score" in result.stdout
    wet = gate(devora, str(example), "--report-dir", str(out), env=path_env)
    assert wet.returncode == 1
    score = report_of(out)["score"]
    assert f"quality gate failed (score {score}/100)" in result.stdout


def test_dry_run_fix_of_a_passing_project_exits_0(
    devora: Devora, clean: Path, path_env: dict[str, str]
) -> None:
    # One fixable formatting finding the gate tolerates: --fix has something to plan.
    (clean / "tests" / "conftest.py").write_text("VALUE  =  1\n", encoding="utf-8")
    result = gate(devora, str(clean), "--fix", "--dry-run", env=path_env)
    assert "plan autofix: would run ruff-format on 1 file(s)" in result.stdout, result.stderr
    assert "score 99/100: passed" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_what_devora_writes_into_the_project_does_not_spoil_the_cache(
    devora: Devora, clean: Path, path_env: dict[str, str]
) -> None:
    # A git project that ignores neither Devora's home nor the report directory.
    init_repo(clean)
    (clean / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
    env = {**path_env, "DEVORA_HOME": str(clean / ".devora")}
    first = gate(devora, str(clean), "--report-dir", str(clean / "reports"), env=env)
    second = gate(devora, str(clean), "--report-dir", str(clean / "reports"), env=env)
    assert first.returncode == second.returncode == 0, second.stdout + second.stderr
    assert (clean / ".devora" / "devora.db").is_file()
    assert "cached: mypy, ruff-check, ruff-format, pytest, bandit, pip-audit" in second.stdout


def test_sarif_of_a_project_in_a_subdirectory_names_files_from_the_repository_top(
    devora: Devora, tmp_path: Path, path_env: dict[str, str]
) -> None:
    from gate_projects import make_clean_project

    repo = tmp_path / "monorepo"
    project = make_clean_project(_mkdir(repo / "services" / "calc"))
    module = project / "src" / "calc" / "__init__.py"
    docstring, rest = module.read_text("utf-8").split("\n", 1)
    module.write_text(f"{docstring}\n\nimport os\n{rest}", encoding="utf-8")
    init_repo(repo)
    out = tmp_path / "reports"
    result = gate(devora, str(project), "--report-dir", str(out), env=path_env)
    assert result.returncode == 0, result.stdout + result.stderr
    log = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    [run] = [run for run in log["runs"] if run["tool"]["driver"]["name"] == "ruff"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "services/calc/src/calc/__init__.py"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.resolve().as_uri() + "/"
    # report.json keeps paths relative to the project.
    assert found(report_of(out), "ruff-check") == [("F401", "src/calc/__init__.py", 3)]


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path
