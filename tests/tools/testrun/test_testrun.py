"""Running a real project's pytest tests and reading every test's outcome."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from devora.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, ToolNotInstalledError
from devora.tools.testrun import (
    Reproducer,
    Reproduction,
    TestOutcome,
    UnknownTestError,
    Verdict,
    run_pytest,
    run_reproducer,
    tally_runs,
)
from tests.tools.pyenv.conftest import write_project as write

PYTHON = Path(sys.executable)

TESTS = """
import pytest

from shop import total

@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")

def test_total():
    assert total([1, 2]) == 3

def test_total_empty():
    assert total([]) == 1

def test_needs_broken(broken):
    pass

@pytest.mark.skip(reason="later")
def test_later():
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n == 1

class TestCart:
    def test_one(self):
        assert total([5]) == 5
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(
        tmp_path / "proj",
        {
            "src/shop/__init__.py": "def total(xs):\n    return sum(xs)\n",
            "tests/test_shop.py": TESTS,
        },
    )


def test_every_test_id_gets_its_outcome(project: Path) -> None:
    run = asyncio.run(run_pytest(project, PYTHON))
    assert run.exit_code == 1
    expected = {
        "tests/test_shop.py::test_total": TestOutcome.PASSED,
        "tests/test_shop.py::test_total_empty": TestOutcome.FAILED,
        "tests/test_shop.py::test_needs_broken": TestOutcome.ERROR,
        "tests/test_shop.py::test_later": TestOutcome.SKIPPED,
        "tests/test_shop.py::test_param[1]": TestOutcome.PASSED,
        "tests/test_shop.py::test_param[2]": TestOutcome.FAILED,
        "tests/test_shop.py::TestCart::test_one": TestOutcome.PASSED,
    }
    assert {i: c.outcome for i, c in run.cases.items()} == expected
    assert run.outcome("tests/test_shop.py::test_param") is TestOutcome.FAILED
    assert run.outcome("tests/test_shop.py::TestCart") is TestOutcome.PASSED
    assert run.outcome("tests/test_shop.py::test_nothing") is None
    failed = run.cases["tests/test_shop.py::test_total_empty"]
    assert "assert 0 == 1" in failed.message + failed.traceback
    assert "test_shop.py:13" in failed.traceback


def test_selected_ids_only_run_those(project: Path) -> None:
    run = asyncio.run(run_pytest(project, PYTHON, ["tests/test_shop.py::test_total"]))
    assert run.exit_code == 0
    assert list(run.cases) == ["tests/test_shop.py::test_total"]


def test_the_checkout_sources_come_first(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another copy of the package on the caller's PYTHONPATH does not win.
    other = write(tmp_path / "other", {"shop/__init__.py": "def total(xs):\n    return 0\n"})
    monkeypatch.setenv("PYTHONPATH", str(other))
    run = asyncio.run(run_pytest(project, PYTHON, ["tests/test_shop.py::test_total"]))
    assert run.outcome("tests/test_shop.py::test_total") is TestOutcome.PASSED


@pytest.mark.parametrize(
    "test_id", ["tests/test_shop.py::test_missing", "tests/test_nothere.py", "-x"]
)
def test_an_unknown_test_id_is_a_usage_error(project: Path, test_id: str) -> None:
    with pytest.raises(UnknownTestError) as raised:
        asyncio.run(run_pytest(project, PYTHON, [test_id]))
    assert raised.value.exit_code == EXIT_BAD_INPUT
    assert test_id in raised.value.message
    assert "--collect-only" in raised.value.hint


def test_an_environment_without_pytest_is_an_environment_problem(
    project: Path, tmp_path: Path
) -> None:
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True
    )
    bare = tmp_path / "bare" / "bin" / "python"
    with pytest.raises(ToolNotInstalledError) as raised:
        asyncio.run(run_pytest(project, bare, ["tests/test_shop.py::test_total"]))
    assert raised.value.exit_code == EXIT_ENVIRONMENT
    with pytest.raises(ToolNotInstalledError):
        asyncio.run(run_pytest(project, tmp_path / "no-python", []))


def test_repeated_runs_tell_flaky_from_reproduced(tmp_path: Path) -> None:
    root = write(
        tmp_path / "flaky",
        {
            "tests/test_f.py": """
            from pathlib import Path

            def test_flaky(tmp_path_factory):
                counter = Path(__file__).with_name("count.txt")
                n = int(counter.read_text()) if counter.exists() else 0
                counter.write_text(str(n + 1))
                assert n % 2 == 0

            def test_always():
                assert False
            """,
        },
    )
    ids = ["tests/test_f.py::test_flaky", "tests/test_f.py::test_always"]
    runs = [asyncio.run(run_pytest(root, PYTHON, ids)) for _ in range(3)]
    tallies = tally_runs(runs, ids)
    assert (tallies[ids[0]].passed, tallies[ids[0]].failed) == (2, 1)
    assert tallies[ids[0]].reproduction is Reproduction.FLAKY
    assert tallies[ids[1]].reproduction is Reproduction.REPRODUCED
    assert tallies[ids[1]].runs == 3


@pytest.mark.parametrize(
    ("code", "verdict"), [(0, Verdict.PASSED), (1, Verdict.FAILED), (125, Verdict.UNTESTABLE)]
)
def test_a_command_reproducer_judged_by_its_exit(
    tmp_path: Path, code: int, verdict: Verdict
) -> None:
    reproducer = Reproducer(argv=(sys.executable, "-c", f"print('hi'); raise SystemExit({code})"))
    result = asyncio.run(run_reproducer(reproducer, tmp_path, None))
    assert result.verdict is verdict
    assert result.exit_code == code
    assert "hi" in result.output_tail


def test_a_test_reproducer_judged_by_its_tests(project: Path) -> None:
    failing = Reproducer(test_ids=("tests/test_shop.py::test_total_empty",))
    passing = Reproducer(test_ids=("tests/test_shop.py::test_total",))
    skipped = Reproducer(test_ids=("tests/test_shop.py::test_later",))
    assert asyncio.run(run_reproducer(failing, project, PYTHON)).verdict is Verdict.FAILED
    assert asyncio.run(run_reproducer(passing, project, PYTHON)).verdict is Verdict.PASSED
    assert asyncio.run(run_reproducer(skipped, project, PYTHON)).verdict is Verdict.UNTESTABLE


def test_a_missing_reproducer_tool_is_an_environment_problem(tmp_path: Path) -> None:
    reproducer = Reproducer(argv=("devora-no-such-tool", "--check"))
    with pytest.raises(ToolNotInstalledError) as raised:
        asyncio.run(run_reproducer(reproducer, tmp_path, None))
    assert "devora-no-such-tool" in raised.value.message
    assert raised.value.exit_code == EXIT_ENVIRONMENT


def test_a_reproducer_is_tests_or_a_command() -> None:
    with pytest.raises(ValueError, match="either test ids or a command"):
        Reproducer()
    with pytest.raises(ValueError, match="either test ids or a command"):
        Reproducer(test_ids=("t",), argv=("x",))
