"""The gate in git: `devora hook install` and the pre-commit manifest, with real commits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gate_projects import REPO, init_repo, tool_path

from tests.cli.harness import Devora
from tests.conftest import require

pytestmark = pytest.mark.slow


def commit(root: Path, message: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-m", message],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_the_installed_hook_refuses_a_commit_that_fails_the_gate(
    devora: Devora, clean: Path
) -> None:
    init_repo(clean)
    installed = devora("hook", "install", str(clean))
    assert installed.returncode == 0, installed.stderr
    hook = clean / ".git" / "hooks" / "pre-commit"
    assert hook.stat().st_mode & 0o111
    assert f"{sys.executable} -m devora run quality-gate --changed ." in hook.read_text("utf-8")

    env = devora.env(PATH=tool_path())
    (clean / "src" / "calc" / "extra.py").write_text(
        '"""More."""\n\n\ndef double(value: int) -> int:\n    """Twice."""\n    return value * 2\n',
        encoding="utf-8",
    )
    test = clean / "tests" / "test_calc.py"
    test.write_text(
        test.read_text("utf-8")
        + "\n\ndef test_double() -> None:\n    from calc.extra import double\n\n"
        + "    assert double(2) == 4\n",
        encoding="utf-8",
    )
    good = commit(clean, "double", env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Quality gate: 100/100" in good.stdout + good.stderr

    test.write_text(test.read_text("utf-8").replace("== 4", "== 5"), encoding="utf-8")
    bad = commit(clean, "break a test", env)
    assert bad.returncode != 0
    assert "quality gate failed" in bad.stdout + bad.stderr
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=clean, capture_output=True, text=True, check=True
    )
    assert log.stdout.split() == ["double", "initial"]


def test_install_keeps_a_foreign_hook_unless_forced(devora: Devora, clean: Path) -> None:
    init_repo(clean)
    hook = clean / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")

    refused = devora("hook", "install", str(clean))
    assert refused.returncode == 2
    assert "was not written by Devora" in refused.stderr and "--force" in refused.stderr
    assert hook.read_text("utf-8") == "#!/bin/sh\necho mine\n"

    assert devora("hook", "install", str(clean), "--force").returncode == 0
    assert "devora-quality-gate" in hook.read_text("utf-8")
    assert devora("hook", "install", str(clean)).returncode == 0  # its own hook: replaced

    removed = devora("hook", "uninstall", str(clean))
    assert removed.returncode == 0 and "restored" in removed.stdout
    assert hook.read_text("utf-8") == "#!/bin/sh\necho mine\n"


def test_install_outside_a_repository_is_a_clear_error(devora: Devora, tmp_path: Path) -> None:
    result = devora("hook", "install", str(tmp_path))
    assert result.returncode == 2
    assert "is not in a git repository" in result.stderr
    assert "git init" in result.stderr


def test_the_pre_commit_manifest_is_valid() -> None:
    manifest = REPO / ".pre-commit-hooks.yaml"
    hooks = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["devora-quality-gate", "devora-quality-gate-system"]
    for hook in hooks:
        assert hook["entry"] == "devora run quality-gate --changed"
        assert hook["pass_filenames"] is False
    pre_commit = shutil.which("pre-commit", path=tool_path())
    require(pre_commit is not None, "pre-commit is not installed (pip install -e '.[dev]')")
    assert pre_commit is not None
    checked = subprocess.run(
        [pre_commit, "validate-manifest", str(manifest)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
