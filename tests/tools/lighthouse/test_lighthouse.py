"""Lighthouse found in a checkout and in an installed Devora; a real page audited."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import devora
from devora.errors import ToolNotInstalledError
from devora.tools.lighthouse import (
    DEFAULT_BROWSER,
    LAB_METRICS,
    LIGHTHOUSE_SCRIPT,
    lighthouse_command,
    run_lighthouse,
)
from tests.conftest import require, require_executable

SOURCE = Path(devora.__file__).parent
FIND = """
from devora.errors import ToolNotInstalledError
from devora.tools.lighthouse import lighthouse_command
try:
    print(lighthouse_command())
except ToolNotInstalledError as error:
    raise SystemExit(f"{error}\\nHint: {error.hint}")
"""


def installed_devora(tmp_path: Path) -> Path:
    """A copy of the package outside any checkout, as pip installs it into site-packages."""
    site = tmp_path / "site-packages"
    shutil.copytree(SOURCE, site / "devora", ignore=shutil.ignore_patterns("__pycache__"))
    return site


def find_from(site: Path, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    """lighthouse_command() as the installed copy answers it, with PATH set to `path`."""
    probe = f"import devora\nassert devora.__file__.startswith({str(site)!r})\n{FIND}"
    return subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(site), "PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_an_installed_devora_finds_lighthouse_on_the_path(tmp_path: Path) -> None:
    site = installed_devora(tmp_path)
    on_path = executable(tmp_path / "bin" / "lighthouse")
    found = find_from(site, str(on_path.parent))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == repr([str(on_path)])


def test_an_installed_devora_without_lighthouse_says_how_to_get_it(tmp_path: Path) -> None:
    site = installed_devora(tmp_path)
    (tmp_path / "empty").mkdir()
    found = find_from(site, str(tmp_path / "empty"))
    assert found.returncode != 0
    assert found.stderr.startswith("lighthouse is not installed\nHint: install it: ")
    assert "npm install -g lighthouse" in found.stderr and "DEVORA_LIGHTHOUSE" in found.stderr


def test_devora_lighthouse_wins_over_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = executable(tmp_path / "mine" / "lighthouse-cli")
    executable(tmp_path / "bin" / "lighthouse")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("DEVORA_LIGHTHOUSE", str(chosen))
    assert lighthouse_command() == [str(chosen)]
    monkeypatch.setenv("DEVORA_LIGHTHOUSE", str(tmp_path / "missing.js"))
    with pytest.raises(ToolNotInstalledError, match=r"missing\.js is not a file"):
        lighthouse_command()


def test_a_checkout_runs_its_own_lighthouse_script_with_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = require_executable("node", "apt-get install nodejs npm")
    require(LIGHTHOUSE_SCRIPT.is_file(), "Lighthouse is not installed (run scripts/bootstrap)")
    monkeypatch.delenv("DEVORA_LIGHTHOUSE", raising=False)
    # A PATH holding node alone: no lighthouse there to come before the checkout's.
    only_node = tmp_path / "bin"
    only_node.mkdir()
    (only_node / "node").symlink_to(node)
    monkeypatch.setenv("PATH", str(only_node))
    assert lighthouse_command() == [str(only_node / "node"), str(LIGHTHOUSE_SCRIPT)]


@pytest.fixture
def page(tmp_path: Path) -> Iterator[str]:
    """A small real page, served on a free port."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>t</title>"
        '<meta name="viewport" content="width=device-width"></head>'
        "<body><h1>Devora</h1><p>a page to audit</p></body></html>"
    )
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.timeout(300)
async def test_a_real_page_is_scored(page: str) -> None:
    require_executable("node", "apt-get install nodejs npm")
    require(LIGHTHOUSE_SCRIPT.is_file(), "Lighthouse is not installed (run scripts/bootstrap)")
    browser = os.environ.get("CHROME_PATH", DEFAULT_BROWSER)
    require(Path(browser).is_file(), "Chromium is not installed (run scripts/install-browser)")
    result = await run_lighthouse(page, categories=("performance", "seo"), time_limit=240)
    assert set(result.scores) == {"performance", "seo"}
    assert all(0 <= score <= 1 for score in result.scores.values())
    assert set(result.metrics) == set(LAB_METRICS)
    assert result.version.startswith("12.")
