"""The order files are handed to xdist workers: longest first, each file's tests together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.file_order import HEAVY_FILES, THRESHOLD, longest_files_first, table_from_junit

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Item:
    nodeid: str


def test_heavy_files_go_first_and_each_file_stays_together() -> None:
    crash, candidates = list(HEAVY_FILES)[:2]
    items = [
        Item("tests/test_a.py::one"),
        Item(f"{candidates}::x"),
        Item("tests/test_b.py::one"),
        Item(f"{candidates}::y"),
        Item(f"{crash}::z"),
        *[Item(f"tests/test_many.py::t{i}") for i in range(100)],
    ]
    longest_files_first(items)
    files = [item.nodeid.split("::")[0] for item in items]
    assert files[:4] == [crash, candidates, candidates, "tests/test_many.py"]
    # 100 quick tests weigh no more than THRESHOLD: still after every file in the table.
    assert files[-2:] == ["tests/test_a.py", "tests/test_b.py"]
    assert [i.nodeid for i in items if i.nodeid.startswith(candidates)] == [
        f"{candidates}::x",
        f"{candidates}::y",
    ]


def test_the_table_names_files_that_exist_longest_first() -> None:
    assert all((ROOT / path).is_file() for path in HEAVY_FILES), "refresh tests/file_order.py"
    assert list(HEAVY_FILES.values()) == sorted(HEAVY_FILES.values(), reverse=True)
    assert min(HEAVY_FILES.values()) >= THRESHOLD


def test_the_table_is_read_from_a_junit_report(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.cli.test_x" name="a" time="50.5" />'
        '<testcase classname="tests.cli.test_x.TestGroup" name="b" time="20" />'
        '<testcase classname="tests.test_quick" name="c" time="1" />'
        "</testsuite></testsuites>"
    )
    assert table_from_junit(report) == {"tests/cli/test_x.py": 70}
