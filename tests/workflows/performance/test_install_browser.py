"""scripts/install-browser: nothing to do when Chromium is there; says what to run when not root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "install-browser"


def run_script(*prefix: str, chrome: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CHROME_PATH": chrome}
    return subprocess.run(
        [*prefix, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


def test_an_installed_browser_is_left_alone(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    result = run_script(chrome=str(browser))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_without_root_it_says_what_to_install(tmp_path: Path) -> None:
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # as root it would really install: drop to nobody for this test
        setpriv = shutil.which("setpriv")
        require(setpriv is not None, "setpriv is not installed (apt-get install util-linux)")
        assert setpriv is not None
        prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
    result = run_script(*prefix, chrome=str(tmp_path / "missing" / "chromium"))
    assert result.returncode == 1
    assert "Chromium is not installed" in result.stderr
    assert "apt-get update && apt-get install -y chromium" in result.stderr
