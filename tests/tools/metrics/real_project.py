"""A real published project nobody here wrote: the more-itertools sdist from PyPI, unpacked
once per test session and committed as a git repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import require

from .histories import GITIGNORE, git

SDIST = "more-itertools==10.5.0"


def real_project(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A fresh git repository of the sdist at basetemp/NAME (downloaded once per session)."""
    base = tmp_path_factory.getbasetemp()
    download = base / "more-itertools-sdist"
    if not download.exists():
        download.mkdir()
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             SDIST, "-d", str(download)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        require(done.returncode == 0, f"cannot download {SDIST} from PyPI: {done.stderr[-500:]}")
        (archive,) = download.glob("more*itertools-*.tar.gz")
        with tarfile.open(archive) as sdist:
            sdist.extractall(download, filter="data")
    (unpacked,) = (p for p in download.iterdir() if p.is_dir())
    root = base / name
    shutil.copytree(unpacked, root)
    (root / ".gitignore").write_text(GITIGNORE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"{SDIST} as published")
    return root
