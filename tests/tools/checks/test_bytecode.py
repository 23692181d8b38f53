"""Bytecode kept outside the project: stale files forgotten, only where it stays outside."""

from __future__ import annotations

from pathlib import Path

from devora.tools.checks import ProjectProfile, detect_project, forget_stale_bytecode
from devora.tools.checks._bytecode import bytecode_variables
from devora.tools.pyenv import EnvironmentKind, PythonEnvironment

TAG = "cpython-311"


def _compile(prefix: Path, root: Path, *names: str) -> None:
    """Fake .pyc files where Python and pytest put them under the prefix."""
    for name in names:
        folder = prefix / root.relative_to("/") / Path(name).parent
        folder.mkdir(parents=True, exist_ok=True)
        stem = Path(name).stem
        (folder / f"{stem}.{TAG}.pyc").write_bytes(b"x")
        (folder / f"{stem}.{TAG}-pytest-9.2.0.pyc").write_bytes(b"x")


def _kept(prefix: Path, root: Path) -> set[str]:
    mirror = prefix / root.relative_to("/")
    return {p.relative_to(mirror).as_posix() for p in mirror.rglob("*.pyc")}


def test_the_bytecode_of_changed_added_and_deleted_files_is_forgotten(tmp_path: Path) -> None:
    root, prefix = tmp_path / "project", tmp_path / "prefix"
    root.mkdir()
    files = {"pkg/mod.py": "a", "pkg/other.py": "b", "tests/test_mod.py": "c", "data.txt": "d"}
    _compile(prefix, root, "pkg/mod.py", "pkg/other.py", "tests/test_mod.py")
    forget_stale_bytecode(prefix, root, files)
    assert _kept(prefix, root) == set()  # never seen: nothing in the prefix is trusted

    every = {
        f"{folder}/{stem}.{TAG}{suffix}.pyc"
        for folder, stem in (("pkg", "mod"), ("pkg", "other"), ("tests", "test_mod"))
        for suffix in ("", "-pytest-9.2.0")
    }
    _compile(prefix, root, "pkg/mod.py", "pkg/other.py", "tests/test_mod.py")
    forget_stale_bytecode(prefix, root, files)
    assert _kept(prefix, root) == every  # same digests: all kept

    changed = {**files, "pkg/mod.py": "a2"}
    forget_stale_bytecode(prefix, root, changed)
    assert {n.split("/")[1].split(".")[0] for n in _kept(prefix, root)} == {"other", "test_mod"}

    _compile(prefix, root, "pkg/mod.py")
    without_other = {n: d for n, d in changed.items() if n != "pkg/other.py"}
    forget_stale_bytecode(prefix, root, without_other)
    assert {n.split("/")[1].split(".")[0] for n in _kept(prefix, root)} == {"mod", "test_mod"}
    _compile(prefix, root, "pkg/other.py")  # e.g. left by a run before it was deleted
    forget_stale_bytecode(prefix, root, {**without_other, "pkg/other.py": "b"})
    assert {n.split("/")[1].split(".")[0] for n in _kept(prefix, root)} == {"mod", "test_mod"}


def _profile(root: Path, python: str | None, pytest: str | None) -> ProjectProfile:
    environment = PythonEnvironment(
        kind=EnvironmentKind.ISOLATED,
        python=Path("/env/bin/python"),
        prefix=Path("/env"),
        version=python,
        modules={"pytest": pytest} if pytest else {},
    )
    return detect_project(root).model_copy(update={"python_env": environment})


def test_bytecode_is_kept_only_where_python_and_pytest_write_it_outside_the_project(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    prefix = tmp_path / "prefix"
    assert bytecode_variables(_profile(tmp_path, "3.11.7", "9.2.0"), prefix) == {
        "PYTHONPYCACHEPREFIX": str(prefix),
        "PYTHONDONTWRITEBYTECODE": "",
    }
    assert bytecode_variables(_profile(tmp_path, "3.11.7", "9.2.0"), None) == {}
    # pytest < 6 writes its rewritten test modules into the project's __pycache__, and
    # Python < 3.8 knows no prefix: no bytecode is written at all, as before.
    assert bytecode_variables(_profile(tmp_path, "3.11.7", "5.4.3"), prefix) == {}
    assert bytecode_variables(_profile(tmp_path, "3.7.17", "7.4.4"), prefix) == {}
    assert bytecode_variables(_profile(tmp_path, None, "9.2.0"), prefix) == {}
    assert bytecode_variables(detect_project(tmp_path), prefix) == {}  # no environment
