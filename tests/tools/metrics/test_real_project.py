"""On a real published project (more-itertools from PyPI), the analysis counts what radon
counts, and takes a time worth reporting."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from devora.tools.metrics import analyze_project

from .histories import radon_complexities
from .real_project import real_project

BIN = Path(sys.executable).parent


@pytest.mark.slow
async def test_complexity_of_a_real_project_is_radons_own(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = real_project(tmp_path_factory, "metrics-real")
    started = time.monotonic()
    analysis = await analyze_project(root)
    elapsed = time.monotonic() - started
    theirs = radon_complexities(root)
    ours = {(f.file, f.name, f.line): f.complexity for f in analysis.functions}
    assert ours == theirs and len(ours) > 300
    assert analysis.unparsed == ()
    assert analysis.hotspots and analysis.hotspots[0].revisions == 1  # one commit of history
    # One revision each: the hotspots rank the files by their total complexity.
    totals: dict[str, int] = {}
    for (file, _, _), complexity in theirs.items():
        totals[file] = totals.get(file, 0) + complexity
    assert [(s.file, s.complexity) for s in analysis.hotspots] == sorted(
        totals.items(), key=lambda item: (-item[1], item[0])
    )
    print(f"\nanalyze on {len(ours)} functions of more-itertools 10.5.0: {elapsed:.1f}s")
