"""Function-level test impact: which functions a change touched, who executed them (real
coverage data, recorded by the devora_impact plugin), and the reused tests' lines moved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devora.tools.impact import (
    FunctionImpact,
    TestImpact,
    function_change,
    lines_by_context,
    move_lines,
    plugin_directory,
    select_tests,
)

MODULE = b'''"""Shop."""
import os


def price(n):
    """Price of n."""
    return n * 2


def tax(n):
    # A comment.
    return n + 1


class Till:
    def total(self, n):
        def inner(m):
            return m - 1

        return inner(n) + tax(n)
'''

TESTS = b"""from shop import price, tax, Till


def test_price():
    assert price(2) == 4


def test_tax():
    assert tax(1) == 2


def test_till():
    assert Till().total(3) == 6
"""


def test_a_body_change_names_the_old_body_and_moves_the_other_lines() -> None:
    edited = MODULE.replace(b"    return n * 2\n", b"    n = n + 0\n    return n * 2\n")
    change = function_change(MODULE, edited)
    assert change is not None
    assert change.bodies == ((6, 7),)  # price's body: docstring and return, as it was
    assert change.touches({7}) and not change.touches({12, 5})
    assert change.moved[12] == 13 and change.moved[5] == 5  # tax's return moved down one
    assert change.moved[7] == 8  # an insertion: price's return is still there
    replaced = function_change(MODULE, MODULE.replace(b"n * 2", b"n * 3"))
    assert replaced is not None and replaced.bodies == ((6, 7),)
    assert 7 not in replaced.moved and replaced.moved[12] == 12  # the replaced line is gone


def test_an_inner_function_is_the_innermost_body() -> None:
    change = function_change(MODULE, MODULE.replace(b"m - 1", b"m - 2"))
    assert change is not None and change.bodies == ((18, 18),)
    assert change.touches({18}) and not change.touches({17, 20})


def test_comments_and_blank_lines_between_functions_touch_no_function() -> None:
    edited = MODULE.replace(b"\n\ndef tax", b"\n\n# Tax.\n\ndef tax")
    change = function_change(MODULE, edited)
    assert change is not None and change.bodies == ()
    assert change.moved[12] == 14


@pytest.mark.parametrize(
    "edited",
    [
        MODULE.replace(b"import os", b"import sys"),  # module-level code
        MODULE.replace(b"def tax(n)", b"def tax(n, m=1)"),  # a signature (a line outside)
        MODULE + b"\n\ndef extra():\n    pass\n",  # a new function
        MODULE.replace(b"def tax", b"def levy").replace(b"+ tax(", b"+ levy("),
        b"def broken(:\n",
        b"\xff\xfe",
    ],
)
def test_a_change_outside_function_bodies_is_not_confined(edited: bytes) -> None:
    assert function_change(MODULE, edited) is None


def _impact() -> TestImpact:
    tests = ("tests/test_shop.py::test_price", "tests/test_shop.py::test_tax")
    return TestImpact(
        rootdir="",
        outcomes=dict.fromkeys(tests, "passed"),
        executed=dict.fromkeys(tests, ("shop.py",)),
        measured=("shop.py",),
        skeletons={"shop.py": "s"},
        import_time=("shop.py",),
    )


def test_selection_reruns_only_the_tests_that_executed_a_changed_function() -> None:
    only_tax = FunctionImpact(tests=frozenset({"tests/test_shop.py::test_tax"}), outside=False)
    selection = select_tests(_impact(), ["shop.py"], [], [], lambda n: "s", lambda n: only_tax)
    assert selection.rerun == ("tests/test_shop.py::test_tax",)
    assert selection.reused == ("tests/test_shop.py::test_price",)
    outside = FunctionImpact(tests=frozenset(), outside=True)
    every = select_tests(_impact(), ["shop.py"], [], [], lambda n: "s", lambda n: outside)
    assert every.full == (
        "a changed function of shop.py ran outside any test (at import or collection)"
    )
    # Not known by function: the file-level rule (its functions ran at import: everything).
    unknown = select_tests(_impact(), ["shop.py"], [], [], lambda n: "s", lambda n: None)
    assert unknown.full and "ran outside any test" in unknown.full


def _record(project: Path, branch: bool) -> tuple[Path, dict[str, object]]:
    """Run the project's tests under coverage with the devora_impact plugin, as the gate does."""
    data = project / ".coverage"
    report = project / "outcomes.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(plugin_directory()),
        "DEVORA_IMPACT_REPORT": str(report),
        "COVERAGE_FILE": str(data),
    }
    env.pop("COVERAGE_PROCESS_START", None)
    argv = [sys.executable, "-m", "coverage", "run", *(["--branch"] if branch else [])]
    argv += ["--source", str(project), "-m", "pytest", "-p", "devora_impact", "-q"]
    argv += ["-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly"]
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return data, json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("branch", [False, True], ids=["lines", "arcs"])
def test_per_test_lines_from_real_coverage_and_moved_after_a_change(
    tmp_path: Path, branch: bool
) -> None:
    project = tmp_path / "shop"
    (project / "tests").mkdir(parents=True)
    (project / "shop.py").write_bytes(MODULE)
    (project / "tests" / "test_shop.py").write_bytes(TESTS)
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\npythonpath = ['.']\n")
    data, report = _record(project, branch)
    assert report["measured"] is True
    lines = lines_by_context(data, project, "shop.py")
    price, tax, till = (f"tests/test_shop.py::test_{name}" for name in ("price", "tax", "till"))
    assert 7 in lines[price] and 12 not in lines[price]
    assert {12, 18, 20} <= lines[till]
    assert {2, 5, 10} <= lines[""]  # imports and defs: outside any test

    edited = MODULE.replace(b"    return n * 2\n", b"    n = n + 0\n    return n * 2\n")
    change = function_change(MODULE, edited)
    assert change is not None
    assert {t for t, run in lines.items() if t and change.touches(run)} == {price}
    assert not change.touches(lines[""])

    move_lines(data, project, {"shop.py": change.moved}, "")
    after = lines_by_context(data, project, "shop.py")
    assert "" not in after  # recorded again by the next run
    assert after[till] == {change.moved[n] for n in lines[till]}
    assert 13 in after[tax] and after[tax] == {change.moved[n] for n in lines[tax]}
    assert after[price] == {change.moved[n] for n in lines[price]}
