"""Replacing deprecated calls with their successors from a mapping: imports follow, other
files stay byte-identical, a second run changes nothing, the tests still pass."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from devora.tools.codemods import replace_deprecated_calls

PROJECT = {
    "util/__init__.py": "",
    "util/legacy.py": (
        "def old_join(parts):\n    return '/'.join(parts)\n\n\n"
        "def join(*parts):\n    return '/'.join(parts)\n"
    ),
    "util/modern.py": "def join_paths(parts):\n    return '/'.join(parts)\n",
    "app.py": (
        "from util import legacy\nfrom util.legacy import old_join\n\n\n"
        "def a():\n    return old_join(['a', 'b'])\n\n\n"
        "def b():\n    return legacy.old_join(['c'])\n"
    ),
    "clean.py": "def unrelated():\n    old_join = 3\n    return old_join\n",
    "test_app.py": (
        "import app\nimport clean\n\n\ndef test_app():\n    assert app.a() == 'a/b'\n"
        "    assert app.b() == 'c'\n    assert clean.unrelated() == 3\n"
    ),
}
SUCCESSORS = {"util.legacy.old_join": "util.modern.join_paths"}


def _hashes(root: Path) -> dict[str, str]:
    return {n: hashlib.sha256((root / n).read_bytes()).hexdigest() for n in PROJECT}


def test_deprecated_calls_become_their_successors(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    files = sorted(PROJECT)
    before = _hashes(tmp_path)
    result = replace_deprecated_calls(tmp_path, SUCCESSORS, files)
    assert result.changed_files == ("app.py",) and result.edits == 2
    app = (tmp_path / "app.py").read_text()
    assert "return join_paths(['a', 'b'])" in app
    assert "return join_paths(['c'])" in app
    assert "from util.modern import join_paths" in app
    assert "from util.legacy import old_join" not in app  # no longer used
    after = _hashes(tmp_path)
    assert all(before[n] == after[n] for n in PROJECT if n != "app.py")
    again = replace_deprecated_calls(tmp_path, SUCCESSORS, files)
    assert again.changed_files == () and _hashes(tmp_path) == after
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout


def test_a_successor_in_the_same_module_keeps_the_attribute_call(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    replace_deprecated_calls(tmp_path, {"util.legacy.old_join": "util.legacy.join"}, ["app.py"])
    app = (tmp_path / "app.py").read_text()
    assert "return legacy.join(['c'])" in app
    assert "from util.legacy import join\n" in app and "return join(['a', 'b'])" in app
