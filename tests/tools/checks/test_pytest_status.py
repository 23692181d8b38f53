"""Every pytest exit status, and every way of running no test, judged against the real pytest."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devora.tools._subprocess import ProcessOutput
from devora.tools.checks import CheckResult, CheckStatus, PytestCheck, detect_project
from devora.tools.checks._base import ToolCrashError
from devora.tools.checks._pytest_status import judge_pytest_run, parse_pytest_summary

MODULE = (
    '"""Tidy."""\n\n\ndef double(value: int) -> int:\n'
    '    """Twice the value."""\n    return value * 2\n'
)
TESTS = (
    "from tidy import double\n\n\n"
    "def test_double() -> None:\n    assert double(2) == 4\n\n\n"
    "def test_zero() -> None:\n    assert double(0) == 0\n"
)


def make_project(root: Path, *, pytest_options: str = "", conftest: str = "") -> Path:
    """A tiny project: one module, two passing tests, and the pytest options given."""
    (root / "src" / "tidy").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "tidy"\nversion = "1.0"\n\n'
        f'[tool.pytest.ini_options]\npythonpath = ["src"]\n{pytest_options}'
    )
    (root / "src" / "tidy" / "__init__.py").write_text(MODULE)
    (root / "tests" / "test_tidy.py").write_text(TESTS)
    if conftest:
        (root / "tests" / "conftest.py").write_text(conftest)
    return root


async def gate_pytest(root: Path, tool_path: str) -> CheckResult:
    return await PytestCheck().run(detect_project(root, search_path=tool_path))


async def test_two_passing_tests_pass_with_their_counts(tmp_path: Path, tool_path: str) -> None:
    result = await gate_pytest(make_project(tmp_path / "p"), tool_path)
    assert result.status is CheckStatus.PASSED
    assert result.metrics["passed"] == 2 and result.metrics["skipped"] == 0


async def test_a_suite_whose_only_tests_are_skipped_is_not_run(
    tmp_path: Path, tool_path: str
) -> None:
    root = make_project(tmp_path / "p")
    skipped = TESTS.replace("def test_", "@pytest.mark.skip\ndef test_")
    (root / "tests" / "test_tidy.py").write_text("import pytest\n" + skipped)
    result = await gate_pytest(root, tool_path)
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason is not None and "every collected test was skipped" in result.reason
    assert result.metrics["skipped"] == 2 and result.metrics["passed"] == 0


async def test_collect_only_in_addopts_is_not_run(tmp_path: Path, tool_path: str) -> None:
    root = make_project(tmp_path / "p", pytest_options='addopts = "--collect-only"\n')
    result = await gate_pytest(root, tool_path)
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason is not None and "--collect-only" in result.reason


async def test_everything_deselected_is_not_run_and_says_how_many(
    tmp_path: Path, tool_path: str
) -> None:
    root = make_project(tmp_path / "p", pytest_options='addopts = "-k nothing_matches"\n')
    result = await gate_pytest(root, tool_path)
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason == "not run: pytest collected no tests (2 deselected)"
    assert result.metrics["deselected"] == 2


async def test_deselected_and_skipped_tests_are_counted(tmp_path: Path, tool_path: str) -> None:
    root = make_project(tmp_path / "p", pytest_options='addopts = "-k double"\n')
    extra = "import pytest\n\n\n@pytest.mark.skip\ndef test_double_later() -> None:\n    pass\n"
    (root / "tests" / "test_more.py").write_text(extra)
    result = await gate_pytest(root, tool_path)
    assert result.status is CheckStatus.PASSED
    assert result.metrics["passed"] == 1
    assert result.metrics["skipped"] == 1 and result.metrics["deselected"] == 1


async def test_internal_error_is_a_crash_with_its_output(tmp_path: Path, tool_path: str) -> None:
    # Exit 3, as a `filterwarnings = error` project meeting a plugin's warning gets it.
    conftest = 'def pytest_sessionstart(session):\n    raise RuntimeError("boom in a hook")\n'
    result = await gate_pytest(make_project(tmp_path / "p", conftest=conftest), tool_path)
    assert result.status is CheckStatus.CRASHED and result.exit_code == 3
    assert result.reason == "pytest hit an internal error (exit code 3)"
    assert result.output_tail is not None and "boom in a hook" in result.output_tail


async def test_usage_error_is_a_crash_with_its_stderr(tmp_path: Path, tool_path: str) -> None:
    # Exit 4, as a missing test dependency (a plugin named in addopts) gives it.
    root = make_project(tmp_path / "p", pytest_options='addopts = "--no-such-option"\n')
    result = await gate_pytest(root, tool_path)
    assert result.status is CheckStatus.CRASHED and result.exit_code == 4
    assert result.reason is not None and "usage error" in result.reason
    assert result.output_tail is not None and "--no-such-option" in result.output_tail


async def test_a_failing_test_fails_and_counts(tmp_path: Path, tool_path: str) -> None:
    root = make_project(tmp_path / "p")
    (root / "tests" / "test_bad.py").write_text("def test_bad() -> None:\n    assert 1 == 2\n")
    result = await gate_pytest(root, tool_path)
    assert result.status is CheckStatus.FAILED and len(result.findings) == 1
    assert result.metrics["failures"] == 1 and result.metrics["passed"] == 2


@pytest.mark.parametrize("code", [2, 3, 4, -9, 137])
def test_every_abnormal_exit_is_a_crash(code: int) -> None:
    output = ProcessOutput(("pytest",), code, "", "it went wrong", 0.1)
    with pytest.raises(ToolCrashError) as caught:
        judge_pytest_run(output, None, Path("/tmp"))
    assert caught.value.tool_exit_code == code and caught.value.output_tail == "it went wrong"


def test_exit_0_without_a_report_is_not_a_pass() -> None:
    with pytest.raises(ToolCrashError):
        judge_pytest_run(ProcessOutput(("pytest",), 0, "", "", 0.1), None, Path("/tmp"))


def test_the_summary_line_is_read_as_pytest_prints_it(tmp_path: Path, tool_path: str) -> None:
    root = make_project(tmp_path / "p")
    (root / "tests" / "test_bad.py").write_text("def test_bad() -> None:\n    assert 1 == 2\n")
    pytest_exe = str(Path(tool_path.split(":")[0]) / "pytest")
    for flags in ([], ["-q"], ["-k", "double or bad"]):
        done = subprocess.run(
            [pytest_exe, "-p", "no:cacheprovider", *flags],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        counts = parse_pytest_summary(done.stdout)
        assert counts["failed"] == 1, done.stdout
        assert counts["passed"] + counts.get("deselected", 0) == 2
