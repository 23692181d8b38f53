"""A rename on a real published project (more-itertools from PyPI): its own tests pass after,
the untouched files are byte-identical, and a second run changes nothing."""

from __future__ import annotations

import subprocess

import pytest

from devora.tools.codemods import rename_symbol
from tests.fixtures.project_env import project_python
from tests.tools.metrics.histories import git
from tests.tools.metrics.real_project import real_project


def _tests(root: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(project_python()), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=str(root), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.mark.slow
# libcst's fully qualified names on more.py and test_more.py (10,000 lines) take about 12
# CPU seconds a rename, and the test makes two: a full run at load 16 took 300 s.
@pytest.mark.timeout(900)
def test_a_rename_on_more_itertools_keeps_its_tests_passing(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = real_project(tmp_path_factory, "codemods-real")
    files = [
        name
        for name in git(root, "ls-files", "*.py", "*.pyi").splitlines()
        if not name.startswith("docs/")
    ]
    result = rename_symbol(root, "more_itertools.more.chunked_even", "chunked_evenly", files)
    assert result.changed_files == (
        "more_itertools/more.py",
        "more_itertools/more.pyi",
        "tests/test_more.py",
    )
    changed = git(root, "diff", "--name-only").split()
    assert changed == list(result.changed_files)  # every other file byte-identical
    more = (root / "more_itertools/more.py").read_text()
    assert "def chunked_evenly(" in more and "'chunked_evenly'," in more
    code = [line for line in more.splitlines() if not line.strip().startswith(">>>")]
    assert not any("chunked_even(" in line for line in code)  # doctest text stays as written
    assert "def chunked_evenly(" in (root / "more_itertools/more.pyi").read_text()
    outcome = _tests(root)
    assert outcome.returncode == 0, outcome.stdout[-2000:]
    tests = (root / "tests/test_more.py").read_text()
    assert "mi.chunked_evenly(" in tests and "mi.chunked_even(" not in tests
    again = rename_symbol(root, "more_itertools.more.chunked_even", "chunked_evenly", files)
    assert again.changed_files == () and git(root, "diff", "--name-only").split() == changed
