"""Lighthouse, the npm package, driving Chromium headless; its JSON report read as data."""

from devora.tools.lighthouse._binary import (
    CHECKOUT_TOOLS_DIR,
    DEFAULT_BROWSER,
    LIGHTHOUSE_SCRIPT,
    browser_path,
    lighthouse_command,
)
from devora.tools.lighthouse._report import (
    LAB_METRICS,
    LighthouseFailedError,
    LighthouseResult,
    Opportunity,
    parse_lighthouse_json,
)
from devora.tools.lighthouse._run import CHROME_FLAGS, run_lighthouse

__all__ = [
    "CHECKOUT_TOOLS_DIR",
    "CHROME_FLAGS",
    "DEFAULT_BROWSER",
    "LAB_METRICS",
    "LIGHTHOUSE_SCRIPT",
    "LighthouseFailedError",
    "LighthouseResult",
    "Opportunity",
    "browser_path",
    "lighthouse_command",
    "parse_lighthouse_json",
    "run_lighthouse",
]
