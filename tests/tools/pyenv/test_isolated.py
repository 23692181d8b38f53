"""The isolated environment: the project and its test dependencies, built with real uv, cached."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from devora.tools.checks import CheckStatus, PytestCheck, detect_project
from devora.tools.pyenv import MARKER, EnvironmentKind, plan_install, resolve_environment

from .conftest import git_init, write_project

PACKAGE = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "calc"
        version = "0.1.0"
        requires-python = ">=3.9"

        [project.optional-dependencies]
        test = ["six==1.16.0"]

        [tool.pytest.ini_options]
        filterwarnings = ["error"]
        """,
    "src/calc/__init__.py": """
        def add(a, b):
            return a + b
        """,
    "tests/test_calc.py": """
        import six  # declared only in the `test` extra

        import calc


        def test_add():
            assert calc.add(1, 2) == 3


        def test_from_source():
            assert "src" in calc.__file__ and "site-packages" not in calc.__file__


        def test_extra_pinned():
            assert six.__version__ == "1.16.0"
        """,
}


def _resolve(root: Path, cache: Path, log: list[str]) -> object:
    from devora.tools.checks._profile import _read_pyproject

    return asyncio.run(
        resolve_environment(root, _read_pyproject(root / "pyproject.toml"), cache_dir=cache,
                            log=log.append)
    )  # fmt: skip


def _gate_pytest(root: Path, cache: Path) -> tuple[object, object]:
    profile = detect_project(root)
    log: list[str] = []
    environment = _resolve(root, cache, log)
    profile = profile.model_copy(update={"python_env": environment})
    return asyncio.run(PytestCheck().run(profile)), environment


def test_the_plan_reads_test_extras_groups_and_requirement_files(tmp_path: Path) -> None:
    write_project(tmp_path, {"requirements-dev.txt": "iniconfig\n", "requirements-test.txt": ""})
    pyproject = {
        "project": {"name": "x", "optional-dependencies": {"Tests": [], "docs": []}},
        "dependency-groups": {"dev": [], "lint": []},
    }
    plan = plan_install(tmp_path, pyproject)
    assert plan.project and plan.extras == ("Tests",) and plan.groups == ("dev",)
    assert plan.requirement_files == ("requirements-dev.txt", "requirements-test.txt")


def test_the_plan_reads_a_requirements_folder(tmp_path: Path) -> None:
    # The Pallets layout (click 8.1.7): requirements/tests.in compiled to tests.txt, which
    # pins the pytest the project's tests were written for.
    write_project(
        tmp_path,
        {
            "setup.py": "",
            "requirements/tests.in": "pytest\n",
            "requirements/tests.txt": "pytest==7.4.0\n",
            "requirements/typing-tests.in": "mypy\n",
            "requirements/docs.txt": "sphinx\n",
        },
    )
    plan = plan_install(tmp_path, {})
    assert plan.requirement_files == ("requirements/tests.txt", "requirements/typing-tests.in")
    assert "requirements/tests.txt" in plan.inputs  # a change to the pins builds anew


def test_a_test_extra_dependency_is_installed_and_imports_come_from_the_source(
    tmp_path: Path, uv: Path
) -> None:
    root = write_project(tmp_path / "calc", PACKAGE)
    git_init(root)
    cache = tmp_path / "cache"
    result, environment = _gate_pytest(root, cache)
    assert environment.kind is EnvironmentKind.ISOLATED  # type: ignore[attr-defined]
    assert result.status is CheckStatus.PASSED, (result.reason, result.output_tail)
    assert result.metrics["tests"] == 3
    assert result.environment and "isolated" in result.environment
    # Never change the user's tree: no .egg-info, no .venv, no cache files.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=root, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_the_environment_is_reused_and_rebuilt_when_its_files_change(
    tmp_path: Path, uv: Path
) -> None:
    root = write_project(tmp_path / "calc", PACKAGE)
    cache = tmp_path / "cache"
    first_log: list[str] = []
    first = _resolve(root, cache, first_log)
    marker = first.prefix / MARKER  # type: ignore[attr-defined]
    stamp = marker.stat().st_mtime_ns
    second_log: list[str] = []
    second = _resolve(root, cache, second_log)
    assert second.prefix == first.prefix  # type: ignore[attr-defined]
    assert marker.stat().st_mtime_ns == stamp  # nothing was created again
    assert any("creating" in line for line in first_log)
    assert not any("creating" in line for line in second_log)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# changed\n", encoding="utf-8")
    third = _resolve(root, cache, [])
    assert third.prefix != first.prefix  # type: ignore[attr-defined]


def test_a_failed_build_is_not_run_with_uv_output(tmp_path: Path, uv: Path) -> None:
    files = dict(PACKAGE)
    files["pyproject.toml"] = PACKAGE["pyproject.toml"].replace(
        'test = ["six==1.16.0"]', 'test = ["this-package-does-not-exist-devora-9f3a"]'
    )
    root = write_project(tmp_path / "calc", files)
    result, _ = _gate_pytest(root, tmp_path / "cache")
    assert result.status is CheckStatus.NOT_RUN
    assert "could not install" in (result.reason or "")
    assert "this-package-does-not-exist-devora-9f3a" in (result.output_tail or "")
    assert not any((tmp_path / "cache").glob(f"*/{MARKER}"))


def test_filterwarnings_error_project_is_not_broken_by_devoras_plugins(
    tmp_path: Path, uv: Path
) -> None:
    # Devora's own environment has pytest plugins (pytest-asyncio, -benchmark, -cov...) whose
    # warnings crashed such projects; in the isolated environment there are none.
    root = write_project(tmp_path / "calc", PACKAGE)
    own = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "add"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    result, _ = _gate_pytest(root, tmp_path / "cache")
    assert result.status is CheckStatus.PASSED, (result.reason, result.output_tail)
    assert own.returncode != 0  # Devora's environment cannot run it (no calc, or a crash)


# Which of pytest's and coverage's modules have no bytecode, asked of the environment's own
# interpreter (its cache tag), without importing them.
_UNCOMPILED = """
import importlib.util, pathlib, sys
missing = []
for name in ("pytest", "_pytest", "coverage", "pluggy"):
    spec = importlib.util.find_spec(name)
    for path in pathlib.Path(spec.origin).parent.rglob("*.py"):
        if not pathlib.Path(importlib.util.cache_from_source(str(path))).is_file():
            missing.append(str(path))
print(len(missing), *missing[:5])
"""


def test_the_environment_has_bytecode_so_a_start_needs_no_compiling(
    tmp_path: Path, uv: Path
) -> None:
    # The checks run with PYTHONDONTWRITEBYTECODE=1 (as many shells set it): an environment
    # without bytecode compiled pytest again on every start (import 0.40 s instead of 0.17).
    root = write_project(tmp_path / "calc", PACKAGE)
    environment = _resolve(root, tmp_path / "cache", [])
    python = environment.python  # type: ignore[attr-defined]
    missing = subprocess.run(
        [str(python), "-I", "-c", _UNCOMPILED], capture_output=True, text=True, check=True
    )
    assert missing.stdout.split()[0] == "0", missing.stdout
