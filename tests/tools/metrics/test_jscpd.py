"""Duplication in TypeScript/JavaScript is jscpd's own count, and a missing jscpd is "not
measured" with its reason, never zero duplication."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from devora.tools.metrics import JSCPD_SCRIPT, analyze_project, jscpd_command
from tests.conftest import require, require_executable

from .histories import History

SUM = "\n".join(f"  total += items[{i}] * {i + 1};" for i in range(12))


def script(name: str) -> str:
    head = f"export function {name}(items: number[]): number {{\n  let total = 0;\n"
    return f"{head}{SUM}\n  return total;\n}}\n"


@pytest.fixture
def web(tmp_path: Path) -> History:
    """Two TypeScript files sharing a 14-line body, a JavaScript file sharing nothing, and a
    Python file (measured by symilar, not jscpd)."""
    require_executable("node", "apt-get install nodejs npm")
    require(JSCPD_SCRIPT.is_file(), "jscpd is not installed (run scripts/bootstrap)")
    repo = History(tmp_path / "web")
    repo.commit(
        "web",
        {
            "src/cart.ts": script("cart"),
            "src/order.ts": "// orders\n\n" + script("order"),
            "src/util.js": "export function inc(x) {\n  return x + 1;\n}\n",
            "tool.py": "def tool():\n    return 1\n",
        },
    )
    return repo


def jscpd_report(root: Path, *files: str) -> dict[str, object]:
    """jscpd's own JSON report on `files`, run by hand as its README says."""
    out = root.parent / "jscpd-out"
    subprocess.run(
        [*jscpd_command(), "--reporters", "json", "--output", str(out), "--silent",
         "--min-lines", "6", *files],
        cwd=root, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    data: dict[str, object] = json.loads((out / "jscpd-report.json").read_text())
    return data


async def test_typescript_duplicates_are_the_ones_jscpd_reports(web: History) -> None:
    analysis = await analyze_project(web.root)
    theirs = jscpd_report(web.root, "src/cart.ts", "src/order.ts", "src/util.js")
    clones = theirs["duplicates"]
    assert isinstance(clones, list) and len(clones) == 1
    expected = {
        (clone["lines"], tuple((clone[side]["name"], clone[side]["start"], clone[side]["end"])
                               for side in ("firstFile", "secondFile")))
        for clone in clones
    }  # fmt: skip
    ours = {(b.lines, b.places) for b in analysis.duplicates}
    assert ours == expected
    order = dict((name, (first, last)) for _, places in ours for name, first, last in places)
    assert order["src/order.ts"][0] == 3  # after the two lines only order.ts has
    assert analysis.duplicated_lines("src/cart.ts") == 16
    assert analysis.duplicated_lines("src/util.js") == 0
    assert analysis.not_measured == () and analysis.duplication_unmeasured == ()


async def test_a_missing_jscpd_is_not_measured_with_its_reason_never_zero(
    web: History, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEVORA_JSCPD", str(tmp_path / "no-jscpd"))
    analysis = await analyze_project(web.root)
    assert analysis.duplicated_lines("src/cart.ts") is None
    assert analysis.duplicated_lines("src/util.js") is None
    assert analysis.duplicated_lines("tool.py") == 0  # Python's duplication was measured
    assert set(analysis.duplication_unmeasured) == {"src/cart.ts", "src/order.ts", "src/util.js"}
    (reason,) = analysis.not_measured
    assert reason.startswith("duplication of 3 TypeScript/JavaScript file(s): jscpd (")
    assert "no-jscpd is not a file" in reason and "scripts/bootstrap" in reason
