"""The test step's change may touch test files only: the rule from the project's layout, and
the check on a real git worktree (committed and uncommitted changes, deletions, renames)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.workflows.feature_development._test_scope import (
    OutsideTestsError,
    check_test_change,
    configured_test_folders,
    is_test_file,
)
from tests.tools.bisect.history import git
from tests.workflows.feature_development.conftest import ACCEPTANCE, ACCEPTANCE_FILE, make_project


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_discount.py",
        "tests/fixtures/carts.json",
        "src/shop/tests/helpers.py",
        "test/unit/cart.py",
        "pkg/test_cart.py",
        "pkg/cart_test.py",
        "conftest.py",
        "web/src/Cart.test.tsx",
        "web/src/cart.spec.js",
        "web/src/__tests__/Cart.jsx",
    ],
)
def test_test_files_by_layout_and_name(path: str) -> None:
    assert is_test_file(path, [])


@pytest.mark.parametrize(
    "path",
    [
        "src/shop/cart.py",
        "pyproject.toml",
        "src/shop/testing.py",
        "src/shop/contest.py",
        "web/src/Cart.tsx",
        "tests.py",
        "src/latest/cart.py",
    ],
)
def test_other_files_are_not_tests(path: str) -> None:
    assert not is_test_file(path, [])


def test_pytest_testpaths_count_as_test_folders(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["checks", "src/shop/verify"]\n'
    )
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\ntestpaths = acceptance ../outside\n")
    folders = configured_test_folders(tmp_path)
    assert folders == ["checks", "src/shop/verify", "acceptance"]
    assert is_test_file("checks/cart.py", folders) and is_test_file("acceptance/a.py", folders)
    assert not is_test_file("checksum.py", folders)
    assert not is_test_file("src/shop/cart.py", folders)


async def test_a_change_to_tests_only_is_allowed(isolated_git: None, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / ACCEPTANCE_FILE).write_text(ACCEPTANCE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tests")
    (repo / "tests/test_cart.py").unlink()  # uncommitted, still a test file
    files = await check_test_change(repo, repo, base, "a person")
    assert files == ["tests/test_cart.py", ACCEPTANCE_FILE]


@pytest.mark.parametrize("how", ["committed", "uncommitted", "renamed", "deleted"])
async def test_a_change_outside_the_tests_is_refused_with_the_files(
    isolated_git: None, tmp_path: Path, how: str
) -> None:
    repo = make_project(tmp_path / "shop")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / ACCEPTANCE_FILE).write_text(ACCEPTANCE)
    cart = repo / "src/shop/cart.py"
    if how == "renamed":
        git(repo, "mv", "src/shop/cart.py", "tests/cart.py")
    elif how == "deleted":
        cart.unlink()
    else:
        cart.write_text("def total(prices, discount=0):\n    return 10\n")
    if how != "uncommitted":
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "tests and a cheat")
    with pytest.raises(OutsideTestsError) as raised:
        await check_test_change(repo, repo, base, "the qa agent")
    assert raised.value.files == ["src/shop/cart.py"]
    assert "the qa agent change 1 file(s) that are not tests" in raised.value.message
    assert raised.value.message.endswith(": src/shop/cart.py")
    assert "test files" in (raised.value.hint or "")
