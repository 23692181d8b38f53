"""Test impact analysis: which tests a change re-runs, decided per changed file."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devora.tools.impact import (
    TestImpact,
    configuration_files,
    module_skeleton,
    select_tests,
)

MODULE = b'''"""Stock."""
import os

LIMIT = 3


def low(items, threshold=LIMIT):
    """Low ones."""
    return [i for i in items if i < threshold]


class Shelf:
    size = 2

    def count(self):
        return self.size
'''


def _impact(**overrides: object) -> TestImpact:
    data: dict[str, object] = {
        "rootdir": "",
        "outcomes": {
            "tests/test_a.py::test_low": "passed",
            "tests/test_a.py::test_shelf": "passed",
            "tests/test_b.py::test_other": "passed",
            "tests/test_b.py::test_broken": "failed",
            "tests/test_b.py::test_skip": "skipped",
        },
        "executed": {
            "tests/test_a.py::test_low": ("src/stock.py",),
            "tests/test_a.py::test_shelf": ("src/shelf.py",),
            "tests/test_b.py::test_other": ("src/other.py",),
        },
        "measured": ("src/stock.py", "src/shelf.py", "src/other.py"),
        "skeletons": {"src/stock.py": "s1", "src/shelf.py": "s2", "src/other.py": "s3"},
    }
    data.update(overrides)
    return TestImpact.model_validate(data)


def _same(name: str) -> str:
    return {"src/stock.py": "s1", "src/shelf.py": "s2", "src/other.py": "s3"}[name]


def test_a_body_change_reruns_the_tests_that_executed_the_file_and_the_unsettled_ones() -> None:
    selection = select_tests(_impact(), ["src/stock.py"], [], [], _same)
    assert selection.full is None
    assert selection.rerun == (
        "tests/test_a.py::test_low",
        "tests/test_b.py::test_broken",
        "tests/test_b.py::test_skip",
    )
    assert selection.reused == ("tests/test_a.py::test_shelf", "tests/test_b.py::test_other")
    assert selection.reason == "3 test(s) re-run, 2 passed test(s) reused"


def test_a_changed_test_file_reruns_its_tests() -> None:
    selection = select_tests(_impact(), ["tests/test_a.py"], [], [], _same)
    assert selection.reused == ("tests/test_b.py::test_other",)


def test_a_module_level_change_reruns_everything() -> None:
    selection = select_tests(_impact(), ["src/stock.py"], [], [], lambda name: "other")
    assert selection.reused == ()
    assert (
        selection.full
        == "module-level code of src/stock.py changed (imports, constants, signatures)"
    )


def test_a_file_that_no_longer_parses_reruns_everything() -> None:
    assert select_tests(_impact(), ["src/stock.py"], [], [], lambda name: None).full


def test_an_unmeasured_python_file_or_data_file_reruns_everything() -> None:
    helper = select_tests(_impact(), ["tests/helpers.py"], [], [], _same)
    assert helper.full and "coverage did not measure it" in helper.full
    data = select_tests(_impact(), ["tests/data/expected.json"], [], [], _same)
    assert data.full and "not Python code" in data.full
    deleted = select_tests(_impact(), [], [], ["src/other.py"], _same)
    assert deleted.full == "src/other.py was deleted"
    added = select_tests(_impact(), [], ["tests/data/new.csv"], [], _same)
    assert added.full and "new.csv" in added.full


def test_documentation_and_new_python_files_rerun_nothing_passed() -> None:
    selection = select_tests(_impact(), ["README.md"], ["src/new.py", "tests/test_c.py"], [], _same)
    assert selection.full is None
    assert set(selection.reused) == {
        "tests/test_a.py::test_low",
        "tests/test_a.py::test_shelf",
        "tests/test_b.py::test_other",
    }


def test_node_ids_are_relative_to_pytests_rootdir() -> None:
    impact = _impact(rootdir="pkg", outcomes={"tests/test_a.py::test_low": "passed"})
    assert impact.test_file("tests/test_a.py::test_low[x::y]") == "pkg/tests/test_a.py"
    selection = select_tests(impact, ["pkg/tests/test_a.py"], [], [], _same)
    assert selection.rerun == ("tests/test_a.py::test_low",)


def test_configuration_and_dependency_files() -> None:
    names = [
        "pyproject.toml", "tests/conftest.py", "uv.lock", "requirements-dev.txt",
        "requirements/tests.txt", "sub/setup.cfg", "eslint.config.js", "src/stock.py",
        "README.md", "tests/test_a.py",
    ]  # fmt: skip
    assert configuration_files(names) == names[:7]


def test_the_skeleton_ignores_function_bodies_only() -> None:
    before = module_skeleton(MODULE)
    assert before is not None
    body = MODULE.replace(b"i < threshold", b"i <= threshold").replace(b"self.size", b"1")
    assert module_skeleton(body) == before
    docstring = MODULE.replace(b'"""Low ones."""', b'"""Low ones, changed."""')
    assert module_skeleton(docstring) == before
    for changed in (
        MODULE.replace(b"LIMIT = 3", b"LIMIT = 4"),
        MODULE.replace(b"import os", b"import sys"),
        MODULE.replace(b"threshold=LIMIT", b"threshold=1"),
        MODULE.replace(b"size = 2", b"size = 3"),
        MODULE + b"\n\ndef extra():\n    pass\n",
    ):
        assert module_skeleton(changed) != before
    assert module_skeleton(b"def broken(:\n") is None


@given(st.text(max_size=200))
def test_any_text_gives_a_digest_or_none(text: str) -> None:
    digest = module_skeleton(text.encode("utf-8", "surrogatepass"))
    assert digest is None or len(digest) == 64


@given(st.integers(min_value=0, max_value=10**6), st.text(alphabet="abc +-*", max_size=30))
def test_a_body_edit_never_changes_the_skeleton(number: int, expression: str) -> None:
    source = f"X = 1\n\n\ndef f(a):\n    return a + {number}\n".encode()
    edited = f"X = 1\n\n\ndef f(a):\n    y = {expression!r}\n    return a - {number}\n".encode()
    assert module_skeleton(source) == module_skeleton(edited)


def test_a_changed_test_file_also_reruns_the_tests_that_executed_it() -> None:
    executed = {**_impact().executed, "tests/test_b.py::test_other": ("tests/test_a.py",)}
    impact = _impact(executed=executed, measured=("src/stock.py", "tests/test_a.py"))
    selection = select_tests(impact, ["tests/test_a.py"], [], [], _same)
    assert "tests/test_b.py::test_other" in selection.rerun
    assert selection.reused == ()


def test_a_file_whose_functions_ran_outside_any_test_reruns_everything() -> None:
    impact = _impact(import_time=("src/stock.py",))
    selection = select_tests(impact, ["src/stock.py"], [], [], _same)
    assert (
        selection.full == "functions of src/stock.py ran outside any test (at import or collection)"
    )


def test_function_body_lines() -> None:
    from devora.tools.impact import function_body_lines

    lines = function_body_lines(MODULE)
    assert {8, 9} <= lines and not {1, 2, 4, 7, 12, 13} & lines
    assert function_body_lines(b"def broken(:\n") == set()
