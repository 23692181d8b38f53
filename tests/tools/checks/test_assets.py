"""Built asset sizes against budgets, on the TypeScript example's real build output."""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from devora.tools.checks import (
    AssetBudget,
    AssetSizeCheck,
    CheckStatus,
    detect_project,
    measure_assets,
)

HAS_BROTLI = importlib.util.find_spec("brotli") is not None


@pytest.fixture(scope="module")
def built(_ts_installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The TypeScript example after `npm run build` (tsc emits dist/ despite its type error)."""
    root = tmp_path_factory.mktemp("built") / "typescript-project"
    shutil.copytree(_ts_installed, root, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (root / "node_modules").symlink_to(_ts_installed / "node_modules")
    subprocess.run(["npm", "run", "build"], cwd=root, capture_output=True, timeout=300)
    assert (root / "dist" / "src" / "stats.js").is_file()
    return root


def test_measure_assets_sizes_each_file(built: Path) -> None:
    sizes = {size.file: size for size in measure_assets(built / "dist")}
    assert set(sizes) == {"src/config.js", "src/format.js", "src/stats.js", "test/stats.test.js"}
    stats = built / "dist" / "src" / "stats.js"
    data = stats.read_bytes()
    assert sizes["src/stats.js"].raw == len(data)
    assert sizes["src/stats.js"].gzip == len(gzip.compress(data, compresslevel=9, mtime=0))
    assert (sizes["src/stats.js"].brotli is not None) is HAS_BROTLI


async def test_budgets_over_and_under(built: Path, tool_path: str) -> None:
    profile = detect_project(built, search_path=tool_path)
    assert profile.build_dir == "dist"
    stats_raw = (built / "dist" / "src" / "stats.js").stat().st_size
    budgets = (
        AssetBudget(pattern="src/stats.js", max_raw=stats_raw - 1),  # one byte over
        AssetBudget(pattern="src/*.js", max_gzip=100_000),  # far under
        AssetBudget(pattern="*.js", max_raw=10, total=True),  # the sum is over
    )
    result = await AssetSizeCheck(budgets).run(profile)
    assert result.status is CheckStatus.FAILED
    assert sorted((f.rule, str(f.file)) for f in result.findings) == [
        ("asset-budget-raw", "None"),  # the total of *.js: no single file
        ("asset-budget-raw", "dist/src/stats.js"),
    ]
    over = next(f for f in result.findings if f.file == "dist/src/stats.js")
    assert f"weighs {stats_raw} bytes raw, over its budget of {stats_raw - 1}" in over.message
    assert result.metrics["assets"] == 4
    total_raw = sum(p.stat().st_size for p in (built / "dist").rglob("*.js"))
    assert result.metrics["total_raw_bytes"] == total_raw
    if HAS_BROTLI:
        assert "total_brotli_bytes" in result.metrics
    else:
        assert "total_brotli_bytes" not in result.metrics
        assert any("brotli" in note and "not installed" in note for note in result.notes)


async def test_brotli_budget_without_brotli_is_said(built: Path, tool_path: str) -> None:
    profile = detect_project(built, search_path=tool_path)
    result = await AssetSizeCheck((AssetBudget(pattern="*.js", max_brotli=1),)).run(profile)
    if HAS_BROTLI:
        assert result.status is CheckStatus.FAILED
    else:
        assert result.status is CheckStatus.PASSED  # nothing measured could exceed it...
        assert "brotli budget for *.js not checked: the brotli module is not installed" in (
            result.notes
        )  # ...and the report says why


async def test_within_budget_passes(built: Path, tool_path: str) -> None:
    profile = detect_project(built, search_path=tool_path)
    result = await AssetSizeCheck((AssetBudget(pattern="*.js", max_gzip=1_000_000),)).run(profile)
    assert result.status is CheckStatus.PASSED and result.findings == ()


async def test_without_a_build_it_is_not_run(ts_project: Path, tool_path: str) -> None:
    profile = detect_project(ts_project, search_path=tool_path)
    result = await AssetSizeCheck().run(profile)
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason and "npm run build" in result.reason
