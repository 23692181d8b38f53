"""Front-end performance: sizes of built assets (raw, gzip, brotli) against budgets."""

from __future__ import annotations

import fnmatch
import gzip
import importlib
import time
from pathlib import Path
from types import ModuleType

from pydantic import BaseModel, ConfigDict, Field

from devora.tools import Finding, Level
from devora.tools.checks._base import Check
from devora.tools.checks._profile import Language, ProjectProfile
from devora.tools.checks._result import CheckResult, CheckStatus

__all__ = ["ASSET_PATTERNS", "AssetBudget", "AssetSize", "AssetSizeCheck", "measure_assets"]

ASSET_PATTERNS = ("*.js", "*.mjs", "*.cjs", "*.css", "*.html", "*.svg", "*.wasm", "*.json")
_KINDS = ("raw", "gzip", "brotli")


class AssetBudget(BaseModel):
    """The most bytes the assets matching a pattern may weigh, each (or in total)."""

    model_config = ConfigDict(frozen=True)

    pattern: str = Field(description="glob on the path relative to the build dir, e.g. *.js")
    max_raw: int | None = Field(default=None, ge=0)
    max_gzip: int | None = Field(default=None, ge=0)
    max_brotli: int | None = Field(default=None, ge=0)
    total: bool = Field(default=False, description="budget the sum of the matches, not each")


class AssetSize(BaseModel):
    """The size of one built asset; brotli is None when the brotli module is not installed."""

    model_config = ConfigDict(frozen=True)

    file: str
    raw: int
    gzip: int
    brotli: int | None


def measure_assets(build_dir: Path, patterns: tuple[str, ...] = ASSET_PATTERNS) -> list[AssetSize]:
    """Raw, gzip (level 9) and brotli (quality 11, when importable) sizes of the built assets."""
    brotli = _brotli()
    sizes = []
    for path in sorted(build_dir.rglob("*")):
        name = path.relative_to(build_dir).as_posix()
        if not path.is_file() or not any(fnmatch.fnmatch(path.name, p) for p in patterns):
            continue
        data = path.read_bytes()
        sizes.append(
            AssetSize(
                file=name,
                raw=len(data),
                gzip=len(gzip.compress(data, compresslevel=9, mtime=0)),
                brotli=len(brotli.compress(data, quality=11)) if brotli is not None else None,
            )
        )
    return sizes


class AssetSizeCheck(Check):
    """Weigh the built front-end assets against budgets; each budget exceeded is a finding."""

    name = "asset-size"
    tool = "devora"
    install = "pip install brotli (for brotli sizes)"

    def __init__(self, budgets: tuple[AssetBudget, ...] = (), *, build_dir: str | None = None):
        self.budgets = budgets
        self.build_dir = build_dir

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Applies to JavaScript projects with a build script."""
        return profile.has(Language.JAVASCRIPT) and profile.build_script is not None

    async def run(self, profile: ProjectProfile) -> CheckResult:
        """Measure the build output (it does not run the build) and compare with the budgets."""
        started = time.monotonic()
        directory = self.build_dir or profile.build_dir
        if directory is None or not (profile.root / directory).is_dir():
            where = directory or "dist/, build/ or out/"
            return CheckResult(
                name=self.name,
                tool=self.tool,
                status=CheckStatus.NOT_RUN,
                reason=f"not run: no build output in {where} (run `npm run build` first)",
                duration=time.monotonic() - started,
            )
        sizes = measure_assets(profile.root / directory)
        notes = []
        if _brotli() is None:
            notes.append("brotli sizes not measured: the brotli module is not installed")
            notes += [
                f"brotli budget for {budget.pattern} not checked: "
                "the brotli module is not installed"
                for budget in self.budgets
                if budget.max_brotli is not None
            ]
        findings = [
            finding for budget in self.budgets for finding in _judge(budget, sizes, directory)
        ]
        metrics: dict[str, float] = {"assets": float(len(sizes))}
        for kind in _KINDS:
            values = [getattr(size, kind) for size in sizes]
            if all(value is not None for value in values):
                metrics[f"total_{kind}_bytes"] = float(sum(values))
        return CheckResult(
            name=self.name,
            tool=self.tool,
            status=CheckStatus.FAILED if findings else CheckStatus.PASSED,
            findings=tuple(findings),
            duration=time.monotonic() - started,
            metrics=metrics,
            notes=tuple(notes),
        )


def _judge(budget: AssetBudget, sizes: list[AssetSize], directory: str) -> list[Finding]:
    matching = [size for size in sizes if fnmatch.fnmatch(size.file, budget.pattern)]
    groups = (
        [(f"{directory}/{budget.pattern}", matching)]
        if budget.total
        else [(f"{directory}/{size.file}", [size]) for size in matching]
    )
    findings = []
    for label, group in groups:
        for kind in _KINDS:
            limit = getattr(budget, f"max_{kind}")
            values = [getattr(size, kind) for size in group]
            if limit is None or not group or any(value is None for value in values):
                continue
            actual = sum(values)
            if actual > limit:
                findings.append(
                    Finding(
                        tool="devora",
                        rule=f"asset-budget-{kind}",
                        level=Level.ERROR,
                        message=f"{label} weighs {actual} bytes {kind}, over its budget of {limit}",
                        file=None if budget.total else label,
                    )
                )
    return findings


def _brotli() -> ModuleType | None:
    try:
        return importlib.import_module("brotli")
    except ImportError:
        return None
