"""Running Lighthouse on one page, headless, with a fresh browser profile."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

from devora.tools._subprocess import ProcessOutput, ToolTimeoutError, run_process
from devora.tools.lighthouse._binary import browser_path, lighthouse_command
from devora.tools.lighthouse._report import (
    LighthouseFailedError,
    LighthouseResult,
    LighthouseTimeoutError,
    parse_lighthouse_json,
)

__all__ = ["CHROME_FLAGS", "run_lighthouse"]

# The network is closed: without these, Chromium waits on connections it will never get.
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


async def run_lighthouse(
    url: str, *, categories: tuple[str, ...], time_limit: float
) -> LighthouseResult:
    """Audit one page with a fresh browser profile and return the parsed report."""
    command = lighthouse_command()
    browser = browser_path()
    with tempfile.TemporaryDirectory(prefix="devora-lighthouse-") as workdir:
        profile = Path(workdir, "profile")
        report = Path(workdir, "report.json")
        flags = " ".join((*CHROME_FLAGS, f"--user-data-dir={profile}"))
        argv = [
            *command,
            url,
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--only-categories={','.join(categories)}",
            f"--chrome-flags={flags}",
            "--max-wait-for-load=30000",
        ]
        try:
            output = await run_process(
                argv, cwd=Path(workdir), time_limit=time_limit, env={"CHROME_PATH": browser}
            )
        except ToolTimeoutError as error:
            raise LighthouseTimeoutError(url, time_limit) from error
        data = await asyncio.to_thread(_read_report, report, url, output)
    return parse_lighthouse_json(data, url)


def _read_report(report: Path, url: str, output: ProcessOutput) -> dict[str, Any]:
    if not report.is_file():
        lines = (output.stderr or output.stdout).strip().splitlines()[-5:]
        problem = "\n".join(lines) or f"exit code {output.exit_code}"
        raise LighthouseFailedError(url, problem)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise LighthouseFailedError(url, f"unreadable report ({error})") from error
    if not isinstance(data, dict):
        raise LighthouseFailedError(url, "the report is not a JSON object")
    return data
