"""Spectrum-based fault localization: per-test coverage, Ochiai, and the failures' frames.

    found = await localize_faults(root, python)
    found.suspects[0]  # Suspect(file="src/shop/cart.py", line=12, function="total", ...)

The tests run once under coverage with one dynamic context per test (its node id); every
line a failing test ran gets its Ochiai score; a function scores its best line, plus
TRACEBACK_WEIGHT when a failing test's traceback passes through it. Test files are left
out of the ranking: the fault is looked for in the code under test.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from devora.errors import ToolNotInstalledError
from devora.tools._subprocess import run_process, scratch_directory, tail
from devora.tools.faultloc._functions import FunctionSpan, function_spans
from devora.tools.faultloc._ochiai import score_lines
from devora.tools.faultloc._plugin import PLUGIN_MODULE, write_plugin
from devora.tools.testrun import (
    DEFAULT_TEST_TIMEOUT,
    TestOutcome,
    TestRun,
    TestRunCrashedError,
    project_path,
    run_pytest,
)

__all__ = ["TRACEBACK_WEIGHT", "Localization", "Suspect", "localize_faults", "traceback_frames"]

TRACEBACK_WEIGHT = 0.5
COVERAGE_INSTALL = "install coverage in the project's environment: python -m pip install coverage"
_FRAME = re.compile(r"^([^\s:][^:\n]*\.py):(\d+):", re.MULTILINE)


class Suspect(BaseModel):
    """A suspicious function: where it is, its best line, and why it is suspected."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    function: str
    score: float
    ochiai: float
    in_traceback: bool


class Localization(BaseModel):
    """The ranked suspects and the test run they come from."""

    model_config = ConfigDict(frozen=True)

    suspects: list[Suspect]
    failing_tests: list[str]
    passing_tests: int
    lines_scored: int
    run: TestRun


async def localize_faults(
    root: Path,
    python: Path,
    test_ids: Sequence[str] = (),
    *,
    top: int = 10,
    time_limit: float = DEFAULT_TEST_TIMEOUT,
) -> Localization:
    """Run the tests (all, or `test_ids`) under per-test coverage and rank the functions."""
    with tempfile.TemporaryDirectory(prefix="devora-faultloc-", dir=scratch_directory()) as tmp:
        scratch = Path(tmp)
        write_plugin(scratch)
        rcfile = scratch / "coveragerc"
        rcfile.write_text(
            f"[run]\ndata_file = {scratch / '.coverage'}\nsource = {root}\n", encoding="utf-8"
        )
        coverage = [str(python), "-m", "coverage"]
        env = {"PYTHONPATH": os.pathsep.join([project_path(root), str(scratch)])}
        try:
            run = await run_pytest(
                root,
                python,
                test_ids,
                time_limit=time_limit,
                launcher=[*coverage, "run", f"--rcfile={rcfile}", "-m", "pytest"],
                extra_args=["-p", PLUGIN_MODULE],
                env=env,
            )
        except TestRunCrashedError as crashed:
            if "No module named coverage" in crashed.output_tail:
                raise ToolNotInstalledError("coverage", COVERAGE_INSTALL) from crashed
            raise
        report = scratch / "coverage.json"
        output = await run_process(
            [*coverage, "json", f"--rcfile={rcfile}", "--show-contexts", "-o", str(report)],
            cwd=root,
            time_limit=time_limit,
            env=env,
        )
        if not report.is_file():
            raise TestRunCrashedError(
                output.argv, output.exit_code, "wrote no coverage report", tail(output.stderr)
            )
        spectrum = _spectrum(json.loads(report.read_text(encoding="utf-8")), root)
    return rank(spectrum, run, root, top=top)


def rank(
    spectrum: dict[str, dict[int, list[str]]], run: TestRun, root: Path, *, top: int = 10
) -> Localization:
    """The top functions by score, from a spectrum and the run's outcomes."""
    failed = set(run.with_outcome(TestOutcome.FAILED)) | set(run.with_outcome(TestOutcome.ERROR))
    passed = set(run.with_outcome(TestOutcome.PASSED))
    scores = score_lines(spectrum, failed, passed)
    frames = {frame for test in failed for frame in traceback_frames(run.cases[test].traceback)}
    best: dict[tuple[str, str], Suspect] = {}
    spans: dict[str, list[FunctionSpan]] = {}
    for (file, line), score in scores.items():
        if file not in spans:
            spans[file] = function_spans(root / file)
        span = _innermost(spans[file], line)
        name = span.name if span else "<module>"
        in_traceback = any(
            f == file and (span.first <= n <= span.last if span else n == line) for f, n in frames
        )
        suspect = Suspect(
            file=file,
            line=line,
            function=name,
            score=round(score + (TRACEBACK_WEIGHT if in_traceback else 0.0), 4),
            ochiai=round(score, 4),
            in_traceback=in_traceback,
        )
        known = best.get((file, name))
        if known is None or (suspect.score, -suspect.line) > (known.score, -known.line):
            best[(file, name)] = suspect
    ranked = sorted(best.values(), key=lambda s: (-s.score, s.file, s.line))
    return Localization(
        suspects=ranked[:top],
        failing_tests=sorted(failed),
        passing_tests=len(passed),
        lines_scored=len(scores),
        run=run,
    )


def traceback_frames(traceback: str) -> list[tuple[str, int]]:
    """The (file, line) frames a pytest failure text names."""
    return [(PurePosixPath(path).as_posix(), int(line)) for path, line in _FRAME.findall(traceback)]


def _spectrum(report: dict[str, object], root: Path) -> dict[str, dict[int, list[str]]]:
    files = report.get("files")
    spectrum: dict[str, dict[int, list[str]]] = {}
    if not isinstance(files, dict):
        return spectrum
    for name, data in files.items():
        relative = _relative(name, root)
        if relative is None or _is_test_file(relative):
            continue
        contexts = data.get("contexts", {}) if isinstance(data, dict) else {}
        spectrum[relative] = {
            int(line): [test for test in tests if test] for line, tests in contexts.items()
        }
    return spectrum


def _relative(name: str, root: Path) -> str | None:
    path = Path(name)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _is_test_file(relative: str) -> bool:
    path = PurePosixPath(relative)
    return (
        path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
        or any(part in ("tests", "test", "testing") for part in path.parts[:-1])
    )


def _innermost(spans: list[FunctionSpan], line: int) -> FunctionSpan | None:
    holding = [s for s in spans if s.first <= line <= s.last]
    return min(holding, key=lambda s: s.last - s.first) if holding else None
