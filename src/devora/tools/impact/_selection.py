"""Test impact analysis: which tests a change can affect, from the last run's coverage.

As pytest-testmon does: a test re-runs when a file it executed changed. Decided per
changed file:

- a test file (it holds tests the last run knew): its tests re-run, and those that
  executed it (when coverage measures test files);
- a Python file whose module-level code changed (imports, constants, signatures,
  decorators, class attributes, or it no longer parses): every test re-runs;
- a Python file changed inside function bodies only: the tests that executed a line of a
  changed function's body re-run (`functions`: from the measured run's per-test lines and
  the file as it was), every test when such a line ran outside any test (at import or
  collection); without the file as it was, the tests that executed the file re-run;
- a Python file coverage never measured (a helper outside the measured sources), deleted
  or changed: every test re-runs; a new one changes nothing until something imports it;
- documentation (.md, .rst): nothing; any other file (data the tests may read): every test.

Tests that failed, were skipped or are new always run; configuration and dependency
changes (see configuration_files) re-run everything before this is asked.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FunctionImpact", "TestImpact", "TestSelection", "select_tests"]

_IGNORED_SUFFIXES = (".md", ".rst")


class TestImpact(BaseModel):
    """What a measured test run leaves for the next one."""

    __test__ = False  # a name pytest would otherwise try to collect
    model_config = ConfigDict(frozen=True)

    rootdir: str = Field(description="pytest's rootdir, relative to the project ('' for itself)")
    static_context: str | None = None
    outcomes: dict[str, str] = Field(description="node id -> passed, failed or skipped")
    executed: dict[str, tuple[str, ...]] = Field(description="node id -> project files run")
    measured: tuple[str, ...] = Field(description="every project file coverage measured")
    skeletons: dict[str, str] = Field(description="Python file -> its module-level digest")
    import_time: tuple[str, ...] = Field(
        default=(),
        description="files whose functions ran outside any test (called while modules were "
        "imported or tests collected: their results may be in every test)",
    )

    def test_file(self, nodeid: str) -> str:
        """The project-relative file a test is in."""
        return posixpath.normpath(posixpath.join(self.rootdir, nodeid.split("::", 1)[0]))


@dataclass(frozen=True)
class FunctionImpact:
    """Who executed a line of a file's changed functions in the measured run."""

    tests: frozenset[str]
    outside: bool  # a changed function ran outside any test: it may be in every result


@dataclass(frozen=True)
class TestSelection:
    """The tests whose last result is reused, and why the others re-run."""

    __test__ = False
    reused: tuple[str, ...]
    rerun: tuple[str, ...]
    full: str | None = None  # why every test re-runs

    @property
    def reason(self) -> str:
        """One sentence for the report."""
        if self.full is not None:
            return f"every test re-run: {self.full}"
        return f"{len(self.rerun)} test(s) re-run, {len(self.reused)} passed test(s) reused"


def select_tests(
    impact: TestImpact,
    changed: Collection[str],
    added: Collection[str],
    deleted: Collection[str],
    skeleton: Callable[[str], str | None],
    functions: Callable[[str], FunctionImpact | None] | None = None,
) -> TestSelection:
    """The selection for a change: `changed`, `added` and `deleted` project files since the
    measured run; `skeleton(file)` is the current module-level digest of a changed file;
    `functions(file)` who executed its changed functions (None: not known)."""
    tests_in: dict[str, list[str]] = {}
    for nodeid in impact.outcomes:
        tests_in.setdefault(impact.test_file(nodeid), []).append(nodeid)
    measured = set(impact.measured)
    affected_files: set[str] = set()
    rerun: set[str] = set()
    for name in sorted({*changed, *deleted}):
        if name in tests_in:
            rerun.update(tests_in[name])
            affected_files.add(name)  # and the tests that executed it (a helper in it)
            continue
        full = _needs_everything(name, name in deleted, name in measured, impact, skeleton)
        if full is not None:
            return _everything(impact.outcomes, full)
        if not name.endswith(".py"):
            continue  # documentation
        by_function = functions(name) if functions is not None else None
        if by_function is None:
            if name in impact.import_time:
                why = f"functions of {name} ran outside any test (at import or collection)"
                return _everything(impact.outcomes, why)
            affected_files.add(name)
        elif by_function.outside:
            why = f"a changed function of {name} ran outside any test (at import or collection)"
            return _everything(impact.outcomes, why)
        else:
            rerun.update(by_function.tests)
    for name in added:
        if not name.endswith(".py") and not name.endswith(_IGNORED_SUFFIXES):
            return _everything(impact.outcomes, f"a new file that is not Python code: {name}")
    for nodeid, files in impact.executed.items():
        if affected_files.intersection(files):
            rerun.add(nodeid)
    rerun.update(nodeid for nodeid, outcome in impact.outcomes.items() if outcome != "passed")
    reused = tuple(sorted(nodeid for nodeid in impact.outcomes if nodeid not in rerun))
    return TestSelection(reused=reused, rerun=tuple(sorted(rerun & set(impact.outcomes))))


def _needs_everything(
    name: str,
    deleted: bool,
    measured: bool,
    impact: TestImpact,
    skeleton: Callable[[str], str | None],
) -> str | None:
    if name.endswith(_IGNORED_SUFFIXES):
        return None
    if not name.endswith(".py"):
        return f"{name} changed (not Python code: tests may read it)"
    if not measured:
        return f"{name} changed and coverage did not measure it (who imports it is unknown)"
    if deleted:
        return f"{name} was deleted"
    now = skeleton(name)
    if now is None or now != impact.skeletons.get(name):
        return f"module-level code of {name} changed (imports, constants, signatures)"
    return None


def _everything(outcomes: Mapping[str, str], why: str) -> TestSelection:
    return TestSelection(reused=(), rerun=tuple(sorted(outcomes)), full=why)
