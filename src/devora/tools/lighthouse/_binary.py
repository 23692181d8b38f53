"""Finding the Lighthouse CLI and the Chromium it drives, in a checkout or an installed Devora.

Lighthouse is looked for in this order: `DEVORA_LIGHTHOUSE` (a Lighthouse CLI, or its
`cli/index.js`), `lighthouse` on the PATH (`npm install -g lighthouse`), then the copy
`scripts/bootstrap` installs into a Devora checkout's tools/perf (`npm ci`). Chromium is
`CHROME_PATH`, else Debian's /usr/bin/chromium (`scripts/install-browser`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devora.errors import ToolNotInstalledError

__all__ = [
    "CHECKOUT_TOOLS_DIR",
    "DEFAULT_BROWSER",
    "LIGHTHOUSE_SCRIPT",
    "browser_path",
    "lighthouse_command",
]

DEFAULT_BROWSER = "/usr/bin/chromium"
# src/devora/tools/lighthouse/_binary.py → the checkout's root; in an installed Devora this
# names a directory that does not hold tools/perf, and the PATH is where Lighthouse is found.
CHECKOUT_TOOLS_DIR = Path(__file__).resolve().parents[4] / "tools" / "perf"
LIGHTHOUSE_SCRIPT = CHECKOUT_TOOLS_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"

_INSTALL_LIGHTHOUSE = (
    "npm install -g lighthouse (Node 18 or newer), or set DEVORA_LIGHTHOUSE to a Lighthouse "
    "CLI; in a Devora checkout, scripts/bootstrap installs it into tools/perf; "
    "or audit without it: --no-lighthouse"
)


def browser_path() -> str:
    """The Chromium Lighthouse drives (CHROME_PATH, else /usr/bin/chromium); an error if absent."""
    path = os.environ.get("CHROME_PATH") or DEFAULT_BROWSER
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        raise ToolNotInstalledError(
            f"chromium (looked for {path})",
            "scripts/install-browser, or apt-get install chromium as root; or set CHROME_PATH "
            "to an installed Chromium or Chrome",
        )
    return path


def lighthouse_command() -> list[str]:
    """The argv prefix that starts the Lighthouse CLI; an error naming what is missing."""
    explicit = os.environ.get("DEVORA_LIGHTHOUSE")
    if explicit:
        if not Path(explicit).is_file():
            raise ToolNotInstalledError(
                f"lighthouse (DEVORA_LIGHTHOUSE={explicit} is not a file)", _INSTALL_LIGHTHOUSE
            )
        return _command_for(Path(explicit))
    on_path = shutil.which("lighthouse")
    if on_path is not None:
        return [on_path]
    if LIGHTHOUSE_SCRIPT.is_file():
        return _command_for(LIGHTHOUSE_SCRIPT)
    raise ToolNotInstalledError("lighthouse", _INSTALL_LIGHTHOUSE)


def _command_for(cli: Path) -> list[str]:
    # A JavaScript file runs with node, which we name rather than let a shebang fail.
    if cli.suffix != ".js":
        return [str(cli)]
    node = shutil.which("node")
    if node is None:
        raise ToolNotInstalledError(
            "node", "apt-get install nodejs npm (Node 18 or newer), then scripts/bootstrap"
        )
    return [node, str(cli)]
