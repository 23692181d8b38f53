"""Lighthouse, the npm package, driving Debian's Chromium headless; its JSON report read.

Lighthouse is installed by `scripts/bootstrap` into tools/perf (`npm ci`), Chromium by
`scripts/install-browser`. `DEVORA_LIGHTHOUSE` names another Lighthouse CLI, `CHROME_PATH`
another browser.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from devora.errors import StepError, ToolNotInstalledError
from devora.tools.checks import ProcessOutput, ToolTimeoutError, run_process

__all__ = [
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
# Lighthouse audit ids of the lab metrics, as in `audits[id].numericValue`.
LAB_METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)
DEFAULT_BROWSER = "/usr/bin/chromium"
TOOLS_DIR = Path(__file__).resolve().parents[4] / "tools" / "perf"
LIGHTHOUSE_SCRIPT = TOOLS_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"


class LighthouseFailedError(StepError):
    """Lighthouse ran but gave no usable report."""

    code = "lighthouse_failed"

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(
            f"Lighthouse could not audit {url}: {problem}",
            hint="check that the URL answers in a browser (curl -I URL) and that Chromium "
            "starts: CHROME_PATH=/usr/bin/chromium chromium --headless --no-sandbox --version",
        )


class Opportunity(BaseModel):
    """A Lighthouse opportunity audit: what to change, and the time it would save."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    savings_ms: float
    savings_bytes: float | None = None
    display_value: str | None = None


class LighthouseResult(BaseModel):
    """What Devora keeps of a Lighthouse report."""

    model_config = ConfigDict(frozen=True)

    version: str
    url: str
    scores: dict[str, float]
    metrics: dict[str, float]
    opportunities: tuple[Opportunity, ...]
    warnings: tuple[str, ...] = ()


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
    script = Path(explicit) if explicit else LIGHTHOUSE_SCRIPT
    if script.is_file() and script.suffix != ".js":
        return [str(script)]
    node = shutil.which("node")
    if node is None:
        raise ToolNotInstalledError(
            "node", "apt-get install nodejs npm (Node 18 or newer), then scripts/bootstrap"
        )
    if script.is_file():
        return [node, str(script)]
    on_path = shutil.which("lighthouse")
    if on_path is not None:
        return [on_path]
    raise ToolNotInstalledError(
        "lighthouse", f"scripts/bootstrap (runs `npm ci` in {TOOLS_DIR}), or npm i -g lighthouse"
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
            raise LighthouseFailedError(url, f"no report after {time_limit:g} s") from error
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


def parse_lighthouse_json(lhr: dict[str, Any], url: str) -> LighthouseResult:
    """Category scores, lab metrics and opportunities from a Lighthouse result (LHR)."""
    runtime = lhr.get("runtimeError")
    if isinstance(runtime, dict) and runtime.get("code"):
        raise LighthouseFailedError(url, f"{runtime.get('code')}: {runtime.get('message', '')}")
    audits: dict[str, Any] = lhr.get("audits") or {}
    scores = {
        name: float(category["score"])
        for name, category in (lhr.get("categories") or {}).items()
        if isinstance(category, dict) and category.get("score") is not None
    }
    if "performance" in (lhr.get("categories") or {}) and "performance" not in scores:
        raise LighthouseFailedError(url, "the page could not be scored (performance score null)")
    metrics = {
        metric: float(audits[metric]["numericValue"])
        for metric in LAB_METRICS
        if isinstance(audits.get(metric), dict) and audits[metric].get("numericValue") is not None
    }
    opportunities = [
        Opportunity(
            id=audit_id,
            title=str(audit.get("title", audit_id)),
            savings_ms=float(audit["details"].get("overallSavingsMs") or 0),
            savings_bytes=audit["details"].get("overallSavingsBytes"),
            display_value=audit.get("displayValue"),
        )
        for audit_id, audit in audits.items()
        if isinstance(audit, dict)
        and isinstance(audit.get("details"), dict)
        and audit["details"].get("type") == "opportunity"
    ]
    opportunities = [o for o in opportunities if o.savings_ms > 0 or (o.savings_bytes or 0) > 0]
    opportunities.sort(key=lambda o: (-o.savings_ms, -(o.savings_bytes or 0)))
    return LighthouseResult(
        version=str(lhr.get("lighthouseVersion", "?")),
        url=str(lhr.get("finalDisplayedUrl") or lhr.get("finalUrl") or url),
        scores=scores,
        metrics=metrics,
        opportunities=tuple(opportunities),
        warnings=tuple(str(w) for w in lhr.get("runWarnings") or ()),
    )
