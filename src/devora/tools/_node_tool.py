"""Finding a Node.js command-line tool Devora drives (Lighthouse, jscpd): an environment
variable naming it, then the PATH (`npm install -g NAME`), then the copy `scripts/bootstrap`
installs from a committed lock file into a Devora checkout's tools/FOLDER (`npm ci`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devora.errors import ToolNotInstalledError

__all__ = ["CHECKOUT_TOOLS", "node_tool_command"]

# src/devora/tools/_node_tool.py → the checkout's tools/; in an installed Devora this names a
# directory that does not hold the tools, and the PATH is where they are found.
CHECKOUT_TOOLS = Path(__file__).resolve().parents[3] / "tools"


def node_tool_command(
    name: str, *, variable: str, checkout_script: Path, install: str
) -> list[str]:
    """The argv prefix that starts tool `name`: `$variable` (the tool or its .js entry point),
    `name` on the PATH, else `checkout_script`; ToolNotInstalledError naming what is missing."""
    explicit = os.environ.get(variable)
    if explicit:
        if not Path(explicit).is_file():
            raise ToolNotInstalledError(f"{name} ({variable}={explicit} is not a file)", install)
        return _command_for(Path(explicit))
    on_path = shutil.which(name)
    if on_path is not None:
        return [on_path]
    if checkout_script.is_file():
        return _command_for(checkout_script)
    raise ToolNotInstalledError(name, install)


def _command_for(cli: Path) -> list[str]:
    # A node script (a .js file, or jscpd's suffix-less `bin/jscpd`) runs with node, which we
    # name rather than rely on a shebang and the executable bit.
    if cli.suffix != ".js" and not _node_shebang(cli):
        return [str(cli)]
    node = shutil.which("node")
    if node is None:
        raise ToolNotInstalledError(
            "node", "apt-get install nodejs npm (Node 18 or newer), then scripts/bootstrap"
        )
    return [node, str(cli)]


def _node_shebang(cli: Path) -> bool:
    with cli.open("rb") as file:
        first = file.readline(200)
    return first.startswith(b"#!") and b"node" in first
