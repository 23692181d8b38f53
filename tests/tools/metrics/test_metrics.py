"""The analysis of a real repository with a real history counts what radon, lizard, symilar
and git count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devora.tools.git import NotAGitRepositoryError
from devora.tools.metrics import (
    CouplingRules,
    analyze_project,
    measure_file,
    parse_symilar_report,
)

from .histories import DUPLICATED, History, branchy, git, radon_complexities

BIN = Path(sys.executable).parent

SERVICE = '''"""A service with a class."""


class Service:
    def handle(self, request, retries=3):
        for attempt in range(retries):
            if request.get("ok") and attempt:
                return attempt
            elif request.get("retry"):
                continue
        return None

    def simple(self):
        return 1


def accumulate(value):
    total = 0
{duplicated}    return total
'''

COPY = """def other(value):
    total = 0
{duplicated}    return total
"""

UI = """export function price(items: number[], coupon?: string): number {
  let total = 0;
  for (const item of items) {
    if (item > 100 && coupon) {
      total += item * 0.9;
    } else if (item > 50) {
      total += item;
    }
  }
  return coupon === "FREE" ? 0 : total;
}
"""


@pytest.fixture
def history(tmp_path: Path) -> History:
    """hot.py complex and changed 8 times with helpers.py each time; cold.py complex, once;
    busy.txt changed often but not code; service.py and copy.py share a 10-line block."""
    repo = History(tmp_path / "project")
    repo.commit(
        "start",
        {
            "cold.py": branchy("cold", 9),
            "service.py": SERVICE.format(duplicated=DUPLICATED),
            "copy.py": COPY.format(duplicated=DUPLICATED),
            "web/ui.ts": UI,
        },
    )
    for i in range(8):
        repo.commit(
            f"hot {i}",
            {
                "hot.py": branchy("hot", 6 + i),
                "helpers.py": f"def helper():\n    return {i}\n",
                "busy.txt": f"{i}\n",
            },
            author=f"dev{i % 2}",
        )
    repo.commit("helpers alone", {"helpers.py": "def helper():\n    return 99\n"})
    return repo


async def test_complexity_per_function_is_radons_own(history: History) -> None:
    analysis = await analyze_project(history.root)
    theirs = radon_complexities(history.root)
    ours = {(f.file, f.name, f.line): f.complexity for f in analysis.functions if f.tool == "radon"}
    assert ours == theirs
    assert ours[("hot.py", "hot", 1)] == 14  # 13 ifs
    assert ours[("service.py", "Service.handle", 5)] == 5
    handle = next(f for f in analysis.functions if f.name == "Service.handle")
    simple = next(f for f in analysis.functions if f.name == "Service.simple")
    assert handle.maintainability is not None and simple.maintainability is not None
    assert 0 < handle.maintainability < simple.maintainability <= 100


async def test_typescript_functions_are_measured_as_lizard_measures_them(
    history: History,
) -> None:
    (price,) = measure_file(history.root, "web/ui.ts")
    csv = subprocess.run(
        [str(BIN / "lizard"), "--csv", "web/ui.ts"],
        cwd=history.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    (row,) = [line.split(",") for line in csv if '"price"' in line or ",price," in line]
    assert (price.name, price.complexity, price.lines) == ("price", int(row[1]), int(row[0]))
    assert price.complexity == 6 and price.tool == "lizard"


async def test_duplicates_are_found_where_the_block_was_copied(history: History) -> None:
    analysis = await analyze_project(history.root)
    (block,) = [b for b in analysis.duplicates if "service.py" in {p[0] for p in b.places}]
    assert block.lines >= 10
    places = dict((name, (first, last)) for name, first, last in block.places)
    assert set(places) == {"service.py", "copy.py"}
    service = (history.root / "service.py").read_text().splitlines()
    first, last = places["service.py"]
    assert service[first - 1 : last][1:11] == DUPLICATED.splitlines()
    assert analysis.duplicated_lines("copy.py") == block.lines
    assert analysis.duplicated_lines("web/ui.ts") in (0, None)  # jscpd: none, or not measured
    # hot.py and cold.py: the same `if x == i: return i` ladder (real duplication)
    assert (analysis.duplicated_lines("cold.py") or 0) > 0


async def test_churn_counts_the_commits_and_lines_git_log_counts(history: History) -> None:
    analysis = await analyze_project(history.root)
    churn = {c.file: c for c in analysis.churn}
    assert churn["hot.py"].revisions == 8 and churn["helpers.py"].revisions == 9
    assert churn["cold.py"].revisions == 1 and churn["busy.txt"].revisions == 8
    # hot.py: def, 6 two-line ifs and a return first, then two lines more each time
    assert churn["hot.py"].added == (2 + 2 * 6) + 7 * 2
    assert churn["hot.py"].deleted == 0 and churn["hot.py"].authors == 2
    numstat = git(history.root, "log", "--numstat", "--format=", "--", "helpers.py")
    added = sum(int(line.split("\t")[0]) for line in numstat.splitlines() if line)
    assert churn["helpers.py"].added == added


async def test_hotspots_rank_complex_and_often_changed_files_first(history: History) -> None:
    analysis = await analyze_project(history.root)
    ranked = [spot.file for spot in analysis.hotspots]
    assert ranked[0] == "hot.py"
    hot = analysis.hotspots[0]
    assert (hot.revisions, hot.complexity, hot.score) == (8, 14, 8 * 14)
    assert "busy.txt" not in ranked  # not code: nothing to refactor
    cold = next(s for s in analysis.hotspots if s.file == "cold.py")
    assert cold.score == 1 * 10 < hot.score


async def test_files_that_change_together_are_coupled_as_code_maat_says(
    history: History,
) -> None:
    analysis = await analyze_project(history.root)
    pairs = {(c.file, c.coupled): c for c in analysis.couplings}
    # hot.py and busy.txt: 8 shared of 8 and 8 -> 100 %; hot.py and helpers.py: 8 of (8+9)/2
    assert pairs[("busy.txt", "hot.py")].degree == 100
    helpers = pairs[("helpers.py", "hot.py")]
    assert (helpers.shared_revisions, helpers.degree) == (8, int(8 / 8.5 * 100))
    assert not any("cold.py" in pair for pair in pairs)
    strict = await analyze_project(history.root, coupling=CouplingRules(min_shared_revisions=9))
    assert strict.couplings == ()


async def test_a_folder_that_is_not_a_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepositoryError) as raised:
        await analyze_project(tmp_path)
    assert raised.value.exit_code == 2 and raised.value.hint


def test_a_symilar_report_is_read_as_one_based_ranges() -> None:
    report = (
        "\n12 similar lines in 3 files\n==a.py:[0:12]\n==pkg/b.py:[4:16]\n==c.py:[9:21]\n"
        "   x = 1\n\n6 similar lines in 2 files\n==a.py:[20:26]\n==c.py:[30:36]\n"
        "TOTAL lines=100 duplicates=30 percent=30.00\n"
    )
    first, second = parse_symilar_report(report)
    assert first.lines == 12
    assert first.places == (("a.py", 1, 12), ("pkg/b.py", 5, 16), ("c.py", 10, 21))
    assert second.places == (("a.py", 21, 26), ("c.py", 31, 36))
