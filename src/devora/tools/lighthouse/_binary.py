"""Finding the Lighthouse CLI and the Chromium it drives, in a checkout or an installed Devora.

Lighthouse is looked for in this order: `DEVORA_LIGHTHOUSE` (a Lighthouse CLI, or its
`cli/index.js`), `lighthouse` on the PATH (`npm install -g lighthouse`), then the copy
`scripts/bootstrap` installs into a Devora checkout's tools/perf (`npm ci`). Chromium is
`CHROME_PATH`, else Debian's /usr/bin/chromium (`scripts/install-browser`).
"""

from __future__ import annotations

import os
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools._node_tool import CHECKOUT_TOOLS, node_tool_command

__all__ = [
    "CHECKOUT_TOOLS_DIR",
    "DEFAULT_BROWSER",
    "LIGHTHOUSE_SCRIPT",
    "browser_path",
    "lighthouse_command",
]

DEFAULT_BROWSER = "/usr/bin/chromium"
CHECKOUT_TOOLS_DIR = CHECKOUT_TOOLS / "perf"
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
    return node_tool_command(
        "lighthouse",
        variable="DEVORA_LIGHTHOUSE",
        checkout_script=LIGHTHOUSE_SCRIPT,
        install=_INSTALL_LIGHTHOUSE,
    )
