"""The incremental gate hands pytest only the files of the re-run tests when that is exact.

A test file that records its own import in a marker file shows what pytest collected: with
no conftest.py off the way to the re-run tests' files, the other test files are never
imported and their tests are counted as reused; with one (pytest would not load it), every
file is collected and the reused tests deselected. Either way the counts, the coverage and
the verdict are a full run's.
"""

from __future__ import annotations

from pathlib import Path

from test_gate_incremental import _gate, _judged

PYPROJECT = """\
[project]
name = "shapes"
version = "0.1.0"
requires-python = ">=3.11"

[tool.pytest.ini_options]
pythonpath = ["src"]

[tool.coverage.run]
source = ["src"]
"""
AREA = "def square(side: int) -> int:\n    return side * side\n"
PERIMETER = "def square(side: int) -> int:\n    return 4 * side\n"
TEST_AREA = (
    "from shapes.area import square\n\n\ndef test_square() -> None:\n"
    "    assert square(3) == 9\n\n\ndef test_unit() -> None:\n    assert square(1) == 1\n"
)
# Imported at collection: it appends to a marker file beside the project (not a project
# file the gate would see changed), so the test says whether pytest collected its file.
TEST_PERIMETER = (
    "from pathlib import Path\n\nfrom shapes.perimeter import square\n\n"
    "with (Path(__file__).parents[3] / 'collected.txt').open('a') as marker:\n"
    "    marker.write('collected\\n')\n\n\n"
    "def test_square() -> None:\n    assert square(3) == 12\n"
)


def _project(root: Path, conftest: bool) -> Path:
    (root / "src" / "shapes").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "src" / "shapes" / "__init__.py").write_text("", encoding="utf-8")
    (root / "src" / "shapes" / "area.py").write_text(AREA, encoding="utf-8")
    (root / "src" / "shapes" / "perimeter.py").write_text(PERIMETER, encoding="utf-8")
    for folder, text in (("area", TEST_AREA), ("perimeter", TEST_PERIMETER)):
        (root / "tests" / folder).mkdir(parents=True)
        (root / "tests" / folder / f"test_{folder}.py").write_text(text, encoding="utf-8")
    if conftest:  # beside the perimeter tests: off the way to the area tests
        (root / "tests" / "perimeter" / "conftest.py").write_text(
            "import pytest\n\n\n@pytest.fixture\ndef unit() -> int:\n    return 1\n",
            encoding="utf-8",
        )
    return root


def _collections(root: Path) -> int:
    marker = root.parent / "collected.txt"
    return len(marker.read_text(encoding="utf-8").splitlines()) if marker.is_file() else 0


async def test_only_the_rerun_tests_files_are_collected(tmp_path: Path) -> None:
    root = _project(tmp_path / "shapes", conftest=False)
    home = tmp_path / "home"
    await _gate(root, home, "run-1", checks=("pytest",))
    assert _collections(root) == 1
    area = root / "src" / "shapes" / "area.py"
    area.write_text(AREA.replace("side * side", "side**2"), encoding="utf-8")
    again = await _gate(root, home, "run-2", checks=("pytest",))
    assert _collections(root) == 1  # test_perimeter.py was not even imported
    assert again["pytest"].reused == "2 test(s) re-run, 1 passed test(s) reused, from run run-1"
    full = await _gate(root, tmp_path / "other-home", "run-3", full=True, checks=("pytest",))
    assert _collections(root) == 2
    assert _judged(again["pytest"]) == _judged(full["pytest"])
    assert again["pytest"].metrics["tests"] == again["pytest"].metrics["passed"] == 3
    assert again["pytest"].metrics["deselected"] == 0
    # The next change, to the file that was not collected, finds its tests (reused last
    # time) in the baseline still, and re-runs them alone.
    perimeter = root / "src" / "shapes" / "perimeter.py"
    perimeter.write_text(PERIMETER.replace("4 * side", "side * 4"), encoding="utf-8")
    third = await _gate(root, home, "run-4", checks=("pytest",))
    assert _collections(root) == 3
    assert third["pytest"].reused == "1 test(s) re-run, 2 passed test(s) reused, from run run-2"
    full = await _gate(root, tmp_path / "other-home", "run-5", full=True, checks=("pytest",))
    assert _judged(third["pytest"]) == _judged(full["pytest"])


async def test_a_conftest_off_the_way_means_everything_is_collected(tmp_path: Path) -> None:
    root = _project(tmp_path / "shapes", conftest=True)
    home = tmp_path / "home"
    await _gate(root, home, "run-1", checks=("pytest",))
    area = root / "src" / "shapes" / "area.py"
    area.write_text(AREA.replace("side * side", "side**2"), encoding="utf-8")
    again = await _gate(root, home, "run-2", checks=("pytest",))
    assert _collections(root) == 2  # collected, then its test deselected as reused
    assert again["pytest"].reused == "2 test(s) re-run, 1 passed test(s) reused, from run run-1"
    full = await _gate(root, tmp_path / "other-home", "run-3", full=True, checks=("pytest",))
    assert _judged(again["pytest"]) == _judged(full["pytest"])
    assert again["pytest"].metrics["tests"] == again["pytest"].metrics["passed"] == 3
