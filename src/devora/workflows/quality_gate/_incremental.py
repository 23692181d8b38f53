"""The incremental gate: on a change, re-run only what the change can affect.

Against the baseline of each check (the last result on this project with the same tools,
environment and config, see _baselines):

- file-level checks (ruff check, ruff format, bandit, eslint, prettier) run on the changed
  and added files only; the findings of the other files are reused, those of deleted files
  dropped;
- pytest re-runs the tests the change can affect (devora.tools.impact: a change inside
  function bodies re-runs the tests that executed a changed function, compared with the
  file as the baseline's run saw it), the others' passes are reused and their coverage
  merged in (renumbered where lines moved), so the counts and the percent are a full run's;
- pip-audit (and npm audit) judge the dependencies: reused while no dependency file changed;
- mypy and the rest run in full (mypy through its incremental cache, kept per project and
  environment).

A change to configuration or dependencies (pyproject.toml, lock files, conftest.py, ...),
no baseline (first run, another Devora, tool, environment or config) or --full: every
check runs in full, and its result becomes the new baseline.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devora.tools import Level
from devora.tools.checks import (
    Check,
    CheckResult,
    CheckStatus,
    MypyCheck,
    ProjectProfile,
    PytestCheck,
)
from devora.tools.checks._file_scope import FileScopedCheck
from devora.tools.checks._pytest import ImpactRun
from devora.tools.impact import (
    FunctionChange,
    FunctionImpact,
    TestImpact,
    configuration_files,
    context_name,
    executed_files,
    forget_coverage,
    function_body_lines,
    function_change,
    lines_by_context,
    lines_outside_tests,
    module_skeleton,
    move_lines,
    select_tests,
    skeletons_of,
)
from devora.workflows.quality_gate._baselines import (
    Baseline,
    BaselineStore,
    FileChanges,
    file_changes,
)

__all__ = [
    "DEPENDENCY_CHECKS",
    "Incremental",
    "merge_file_results",
    "mypy_cache_dir",
    "run_incrementally",
]

Log = Callable[[str], None]

# Checks that judge the declared dependencies, not the code.
DEPENDENCY_CHECKS = frozenset({"pip-audit", "npm-audit"})


@dataclass(frozen=True)
class Incremental:
    """What the check steps need to re-check only a change."""

    store: BaselineStore
    files: dict[str, str]  # the project's files now -> sha256
    run: str  # the run doing it: the next baseline's origin
    full: bool = False  # --full: run everything (the results still become baselines)
    mypy_cache: Path | None = None  # mypy's own incremental cache for this project


async def run_incrementally(
    check: Check,
    profile: ProjectProfile,
    inputs: list[str],
    incremental: Incremental,
    log: Log,
) -> CheckResult:
    """The check's result on the tree now, re-checking only what changed since its baseline."""
    key = incremental.store.key(inputs, profile.root)
    baseline = None if incremental.full else incremental.store.load(key)
    changes = file_changes(baseline.files, incremental.files) if baseline else None
    why_full = _why_full(baseline, changes, incremental.full)
    if isinstance(check, PytestCheck):
        return await _tests(check, profile, incremental, key, baseline, changes, why_full, log)
    if why_full is None and baseline is not None and changes is not None:
        if isinstance(check, FileScopedCheck) and all(f.file for f in baseline.result.findings):
            result = await _files(check, profile, baseline, changes)
            return _kept(incremental, key, result, log)
        if check.name in DEPENDENCY_CHECKS:
            note = f"no dependency file changed: result of run {baseline.run} reused"
            log(f"{check.name}: {note}")
            return baseline.result.model_copy(update={"reused": note})
        why_full = "it judges the project as a whole"
        if isinstance(check, MypyCheck):
            why_full += ", through its incremental cache"
    result = await check.run(profile)
    if why_full is not None and result.status in (CheckStatus.PASSED, CheckStatus.FAILED):
        log(f"{check.name}: full run ({why_full})")
    return _kept(incremental, key, result, log)


def merge_file_results(
    base: CheckResult, new: CheckResult, changes: FileChanges, checked: int
) -> CheckResult:
    """The result a full run would give: the changed files' findings from `new`, the other
    files' from `base` (deleted files' dropped)."""
    touched = set(changes.touched)
    findings = [f for f in base.findings if f.file not in touched] + list(new.findings)
    findings.sort(key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.rule, f.message))
    notes = [n for n in base.notes if not any(name in n for name in touched)]
    failed = bool(findings)
    errors = any(f.level is Level.ERROR for f in findings)
    return new.model_copy(
        update={
            "findings": tuple(findings),
            "status": CheckStatus.FAILED if failed else CheckStatus.PASSED,
            "exit_code": int(errors if new.name == "eslint" else failed),
            "notes": (*notes, *(n for n in new.notes if n not in notes)),
            "reused": f"{checked} changed file(s) re-checked, "
            f"{len(base.findings) - sum(1 for f in base.findings if f.file in touched)} "
            f"finding(s) of unchanged files reused from run {base.run}",
        }
    )


async def _files(
    check: FileScopedCheck, profile: ProjectProfile, baseline: Baseline, changes: FileChanges
) -> CheckResult:
    scoped = type(check)(timeout=check.timeout, only=changes.present)
    new = await scoped.run(profile)
    if new.status not in (CheckStatus.PASSED, CheckStatus.FAILED):
        return new  # crashed or not run on the changed files: said as it is, never merged
    base = baseline.result.model_copy(update={"run": baseline.run})
    return merge_file_results(base, new, changes, len(scoped.scoped(changes.present)))


async def _tests(
    check: PytestCheck,
    profile: ProjectProfile,
    incremental: Incremental,
    key: str,
    baseline: Baseline | None,
    changes: FileChanges | None,
    why_full: str | None,
    log: Log,
) -> CheckResult:
    impact = baseline.impact if baseline is not None else None
    data = incremental.store.coverage(key)
    if why_full is None and (impact is None or data is None):
        why_full = "the last test run left no per-test coverage (is coverage installed?)"
    selection = None
    moved: dict[str, FunctionChange] = {}
    if why_full is None and impact is not None and changes is not None and baseline is not None:
        root = profile.root
        functions = _Functions(incremental, key, baseline, impact, root, data, moved)
        selection = select_tests(
            impact,
            changes.changed,
            changes.added,
            changes.deleted,
            lambda name: _skeleton(root / name),
            functions,
        )
        why_full = selection.full
    with tempfile.TemporaryDirectory(prefix="devora-impact-") as scratch:
        record = Path(scratch) / "record"
        run = ImpactRun(record_to=record)
        # Nothing reused (every test selected): this run alone is a full run's coverage, so
        # the baseline's data is not merged (one coverage process less).
        merge = why_full is None and selection is not None and bool(selection.reused)
        if merge and selection is not None and data is not None and impact is not None:
            reduced = Path(scratch) / "baseline.coverage"
            shutil.copyfile(data, reduced)
            contexts = [context_name(t, impact.static_context) for t in selection.rerun]
            touched = changes.touched if changes else ()
            forgotten = [name for name in touched if name not in moved]
            forget_coverage(reduced, profile.root, contexts, forgotten)
            lines = {name: change.moved for name, change in moved.items()}
            move_lines(reduced, profile.root, lines, impact.static_context or "")
            only = _files_to_collect(profile.root, impact, selection.rerun, changes, incremental)
            run = ImpactRun(
                record_to=record, deselect=selection.reused, baseline=reduced, only=only
            )
        result = await PytestCheck(timeout=check.timeout, impact=run).run(profile)
        if why_full is not None:
            log(f"pytest: every test runs ({why_full})")
        elif selection is not None and baseline is not None:
            note = f"{selection.reason}, from run {baseline.run}"
            log(f"pytest: {note}")
            result = result.model_copy(update={"reused": note})
        new_impact = _recorded(record, profile.root, incremental, impact, changes, run)
        kept = _Kept(new_impact, record / ".coverage", profile.root)
        return _kept(incremental, key, result, log, kept)


@dataclass
class _Functions:
    """Who executed the changed functions of a file, from the baseline's per-test lines and
    the file as it was (kept with the baseline); what changed is kept in `moved`."""

    incremental: Incremental
    key: str
    baseline: Baseline
    impact: TestImpact
    root: Path
    data: Path | None
    moved: dict[str, FunctionChange]

    def __call__(self, name: str) -> FunctionImpact | None:
        digest = self.baseline.files.get(name)
        old = self.incremental.store.source(self.key, digest) if digest else None
        if old is None or self.data is None:
            return None
        try:
            change = function_change(old, (self.root / name).read_bytes())
        except OSError:
            return None
        if change is None:
            return None
        lines = lines_by_context(self.data, self.root, name, self.impact.static_context)
        self.moved[name] = change
        return FunctionImpact(
            tests=frozenset(t for t, run in lines.items() if t and change.touches(run)),
            outside=change.touches(lines.get("", set())),
        )


def _recorded(
    record: Path,
    root: Path,
    incremental: Incremental,
    before: TestImpact | None,
    changes: FileChanges | None,
    run: ImpactRun,
) -> TestImpact | None:
    """The impact analysis the run left (its outcomes and per-test coverage), or None."""
    try:
        report = json.loads((record / "outcomes.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not report.get("measured") or not (record / ".coverage").is_file():
        return None
    static = report.get("static_context") or None
    executed, measured = executed_files(record / ".coverage", root, static)
    reused = [*report.get("deselected", []), *report.get("pruned", [])]
    outcomes = {**dict.fromkeys(reused, "passed"), **report.get("outcomes", {})}
    python = [name for name in incremental.files if name.endswith(".py")]
    if before is not None and changes is not None and run.deselect:
        stale = set(changes.touched)
        skeletons = {n: d for n, d in before.skeletons.items() if n not in stale}
        skeletons.update(skeletons_of(root, [n for n in changes.present if n.endswith(".py")]))
    else:
        skeletons = skeletons_of(root, python)
    rootdir = os.path.relpath(report.get("rootdir", str(root)), root)
    rootdir = "" if rootdir == "." else Path(rootdir).as_posix()
    # Whose functions ran outside any test (files holding tests are never asked about).
    # After a change to function bodies that ran in tests only, what runs at import is
    # what ran before: only the changed files are parsed again.
    test_files = {
        posixpath.normpath(posixpath.join(rootdir, t.split("::", 1)[0])) for t in outcomes
    }
    outside = lines_outside_tests(record / ".coverage", root, static)
    ask = set(outside) - test_files
    import_time = set()
    if before is not None and changes is not None and run.deselect:
        ask &= set(changes.touched)
        import_time = set(before.import_time) - set(changes.touched)
    import_time.update(name for name in ask if outside[name] & _body_lines(root / name))
    return TestImpact(
        rootdir=rootdir,
        static_context=static,
        outcomes=outcomes,
        executed={test: tuple(sorted(files)) for test, files in executed.items()},
        measured=tuple(sorted(measured)),
        skeletons=skeletons,
        import_time=tuple(sorted(import_time)),
    )


@dataclass(frozen=True)
class _Kept:
    """What a test run leaves besides its result: impact analysis, coverage, the sources."""

    impact: TestImpact | None
    coverage: Path
    root: Path


def _kept(
    incremental: Incremental,
    key: str,
    result: CheckResult,
    log: Log,
    tests: _Kept | None = None,
) -> CheckResult:
    result = result.model_copy(update={"run": result.run or incremental.run})
    impact = tests.impact if tests is not None else None
    baseline = Baseline(run=incremental.run, files=incremental.files, result=result, impact=impact)
    try:
        incremental.store.save(key, baseline, tests.coverage if tests and impact else None)
        if tests is not None and impact is not None:
            files = incremental.files
            python = {n: files[n] for n in impact.measured if n.endswith(".py") and n in files}
            incremental.store.keep_sources(key, tests.root, python)
    except OSError as error:  # the result stands; only the next run will be a full one
        log(f"{result.name}: baseline not kept: {error}")
    return result


def mypy_cache_dir(base: Path, profile: ProjectProfile) -> Path:
    """mypy's cache for this project and environment (another environment, another cache)."""
    environment = profile.python_env.describe() if profile.python_env is not None else ""
    digest = hashlib.sha256(f"{profile.root}\0{environment}".encode()).hexdigest()[:16]
    return base / digest


def _files_to_collect(
    root: Path,
    impact: TestImpact,
    rerun: tuple[str, ...],
    changes: FileChanges | None,
    incremental: Incremental,
) -> tuple[Path, ...] | None:
    """The files pytest need collect: those of the re-run tests and every added Python file
    (pytest's own rules say whether it holds tests); the others hold reused tests only.
    None (collect everything, deselect the reused) when a conftest.py lies outside every
    directory on the way to those files: pytest would not load it, and its hooks and
    fixtures may change what the collected tests do."""
    wanted = {impact.test_file(nodeid) for nodeid in rerun}
    wanted.update(name for name in (changes.added if changes else ()) if name.endswith(".py"))
    on_the_way = {posixpath.dirname(name) for name in wanted}
    for name in list(on_the_way):
        while name:
            name = posixpath.dirname(name)
            on_the_way.add(name)
    for name in incremental.files:
        if posixpath.basename(name) == "conftest.py" and posixpath.dirname(name) not in on_the_way:
            return None
    return tuple(root / name for name in sorted(wanted))


def _why_full(baseline: Baseline | None, changes: FileChanges | None, full: bool) -> str | None:
    if full:
        return "--full"
    if baseline is None or changes is None:
        return "no earlier result with these tools, environment and config"
    configuration = configuration_files(list(changes.touched))
    if configuration:
        return f"configuration or dependencies changed: {', '.join(configuration)}"
    return None


def _body_lines(path: Path) -> set[int]:
    try:
        return function_body_lines(path.read_bytes())
    except OSError:
        return set()


def _skeleton(path: Path) -> str | None:
    try:
        return module_skeleton(path.read_bytes())
    except OSError:
        return None
