"""Result caching: keyed by the tree, the tool and the config; only results of tools that ran."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_projects import make_clean_project, tool_path

from devora.tools.checks import (
    AssetBudget,
    CheckResult,
    CheckStatus,
    RuffCheck,
    detect_project,
    tree_fingerprint,
)
from devora.workflows.quality_gate import GateConfig, ResultCache
from devora.workflows.quality_gate._running import run_checks


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return make_clean_project(root)


async def test_a_result_is_reused_until_a_file_changes(project: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    profile = detect_project(project, search_path=tool_path())
    config = GateConfig()
    logged: list[str] = []
    tree = await tree_fingerprint(project)
    first, hits = await run_checks([RuffCheck()], profile, config, cache, tree, logged.append)
    assert hits == () and first[0].status is CheckStatus.PASSED
    again, hits = await run_checks([RuffCheck()], profile, config, cache, tree, logged.append)
    assert hits == ("ruff-check",) and again[0].model_copy(update={"reused": None}) == first[0]
    assert again[0].reused == "the whole result of an earlier run (same files, tool and config)"
    assert logged[-1] == "ruff-check: cached result reused (same files, ruff and config)"

    (project / "src" / "calc" / "__init__.py").write_text("import os\n", encoding="utf-8")
    tree = await tree_fingerprint(project)
    changed, hits = await run_checks([RuffCheck()], profile, config, cache, tree, logged.append)
    assert hits == () and [f.rule for f in changed[0].findings] == ["F401"]


async def test_the_key_covers_tree_check_tool_and_budgets(project: Path, tmp_path: Path) -> None:
    from devora.tools.checks import AssetSizeCheck, MypyCheck, remember_tool_versions_in

    remember_tool_versions_in(tmp_path / "versions")
    cache = ResultCache(tmp_path / "cache")
    profile = detect_project(project, search_path=tool_path())
    config = GateConfig()
    key = await cache.key(RuffCheck(), profile, "tree-1", config)
    assert key == await cache.key(RuffCheck(), profile, "tree-1", config)
    assert key != await cache.key(RuffCheck(), profile, "tree-2", config)
    assert key != await cache.key(MypyCheck(), profile, "tree-1", config)
    budgets = GateConfig(budgets=(AssetBudget(pattern="*.js", max_raw=10),))
    assert await cache.key(AssetSizeCheck(), profile, "t", config) != await cache.key(
        AssetSizeCheck(), profile, "t", budgets
    )
    # The tool's version was asked once and remembered on disk (or already known).
    remember_tool_versions_in(None)


def test_only_results_of_tools_that_ran_are_kept(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    for status in CheckStatus:
        result = CheckResult(name="x", tool="x", status=status, reason="r")
        cache.save(status.value, result)
        kept = cache.load(status.value)
        assert (kept is not None) == (status in (CheckStatus.PASSED, CheckStatus.FAILED))


def test_a_damaged_entry_counts_as_none(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert cache.load("bad") is None
    assert cache.load("missing") is None


def test_the_cache_keeps_only_the_newest_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from devora.workflows.quality_gate import _cache

    monkeypatch.setattr(_cache, "MAX_ENTRIES", 3)
    cache = ResultCache(tmp_path)
    result = CheckResult(name="x", tool="x", status=CheckStatus.PASSED)
    for number in range(5):
        cache.save(f"k{number}", result)
        os.utime(tmp_path / f"k{number}.json", (1000 + number, 1000 + number))
    cache.save("k5", result)
    assert sorted(path.stem for path in tmp_path.glob("*.json")) == ["k3", "k4", "k5"]


async def test_fingerprint_leaves_out_what_devora_writes(project: Path) -> None:
    from devora.workflows.quality_gate._cache import fingerprint_tree

    before = await fingerprint_tree(project, [project / ".devora", project / "reports"])
    (project / ".devora").mkdir()
    (project / ".devora" / "devora.db").write_bytes(b"store")
    (project / "reports").mkdir()
    (project / "reports" / "report.json").write_text("{}", encoding="utf-8")
    after = await fingerprint_tree(project, [project / ".devora", project / "reports"])
    assert after == before
    assert await fingerprint_tree(project) != before  # without the exclusions: a new tree
    (project / "src" / "calc" / "__init__.py").write_text("X = 2\n", encoding="utf-8")
    assert await fingerprint_tree(project, [project / ".devora", project / "reports"]) != before
