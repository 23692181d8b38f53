"""The order test files are handed to xdist workers: longest first (LPT), so that no long
file starts late and runs alone at the end of the run (CI's time is the last worker's).

`--dist loadfile` hands out files in collection order (scripts/test passes
`--no-loadscope-reorder`, else xdist re-sorts them by number of tests). Every worker must
collect the same order, so the weights are a committed table, not timings of this machine.
Refresh it from a full run's JUnit report: `python -m tests.file_order junit.xml`.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeVar

# Seconds per file in a full run (4 workers, machine at load 8-16), the files over 60 s.
HEAVY_FILES: dict[str, int] = {
    "tests/cli/test_crash_resume.py": 838,
    "tests/workflows/bug_resolution/test_bug_candidates.py": 669,
    "tests/workflows/saas_mvp/test_generate.py": 345,
    "tests/workflows/quality_gate/test_gate_cli.py": 316,
    "tests/workflows/migration/test_migration_workflow.py": 277,
    "tests/executors/test_failures.py": 276,
    "tests/workflows/bug_resolution/test_bug_resolution.py": 266,
    "tests/executors/test_conformance.py": 258,
    "tests/workflows/feature_development/test_feature_agents.py": 226,
    "tests/workflows/refactoring/test_refactoring_cli.py": 200,
    "tests/server/test_dashboard.py": 188,
    "tests/server/test_api.py": 175,
    "tests/tools/checks/test_js_checks.py": 169,
    "tests/workflows/release/test_release_workflow.py": 167,
    "tests/workflows/saas_mvp/test_workflow_run.py": 163,
    "tests/tools/codemods/test_real_project.py": 159,
    "tests/workflows/quality_gate/test_gate_agent_fix.py": 156,
    "tests/squads/test_agent_task.py": 154,
    "tests/workflows/refactoring/test_refactoring_paths.py": 143,
    "tests/workflows/quality_gate/test_gate_incremental.py": 140,
    "tests/tools/checks/test_npm_test_runners.py": 128,
    "tests/workflows/feature_development/test_feature_people.py": 122,
    "tests/tools/release/test_bump_oracle.py": 117,
    "tests/workflows/feature_development/test_feature_lanes.py": 115,
    "tests/cli/test_cli.py": 110,
    "tests/workflows/migration/test_migration_bad_input.py": 93,
    "tests/test_code_quality.py": 93,
    "tests/server/test_api_answers.py": 88,
    "tests/server/test_sse.py": 83,
    "tests/server/test_schedules.py": 83,
    "tests/tools/migrations/test_dryrun.py": 81,
    "tests/tools/pyenv/test_detect.py": 80,
    "tests/tools/checks/test_python_checks.py": 79,
    "tests/workflows/incident/test_incident_bad_input.py": 78,
    "tests/workflows/quality_gate/test_gate_score_properties.py": 77,
    "tests/workflows/saas_mvp/test_workflow_inputs.py": 75,
    "tests/workflows/bug_resolution/test_bug_real_project.py": 72,
    "tests/server/test_schemathesis.py": 72,
    "tests/workflows/incident/test_incident_cli.py": 70,
    "tests/workflows/quality_gate/test_gate_incremental_sdist.py": 70,
    "tests/workflows/release/test_release_bad_input.py": 69,
    "tests/workflows/scaling/test_scaling_bad_input.py": 69,
    "tests/workflows/feature_development/test_feature_real_project.py": 65,
    "tests/tools/checks/test_pytest_status.py": 64,
    "tests/workflows/feature_development/test_feature_inputs.py": 61,
    "tests/tools/checks/test_pip_audit_environment.py": 60,
}
# A file not in the table took under THRESHOLD seconds (or is new): about the mean seconds
# per test of those files, at most THRESHOLD (a file of 200 quick checks is no long file).
SECONDS_PER_TEST = 1.5
THRESHOLD = 60


class Item(Protocol):
    @property
    def nodeid(self) -> str: ...


T = TypeVar("T", bound=Item)


def file_of(item: Item) -> str:
    return item.nodeid.split("::", 1)[0]


def longest_files_first(items: list[T]) -> None:
    """Sort items in place: files by estimated seconds, descending; a file's tests keep
    their order and stay together; equal weights keep the collection order."""
    counts = Counter(file_of(item) for item in items)
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(file_of(item), index)

    def weight(path: str) -> float:
        return HEAVY_FILES.get(path, min(counts[path] * SECONDS_PER_TEST, THRESHOLD))

    items.sort(key=lambda item: (-weight(file_of(item)), first[file_of(item)]))


def table_from_junit(report: Path) -> dict[str, int]:
    """Seconds per test file over THRESHOLD in a JUnit report (pytest's xunit2 classnames)."""
    seconds: defaultdict[str, float] = defaultdict(float)
    for case in ET.parse(report).iter("testcase"):
        parts = case.get("classname", "").split(".")
        modules = [i for i, part in enumerate(parts) if part.startswith("test_")]
        path = "/".join(parts[: modules[-1] + 1 if modules else len(parts)]) + ".py"
        seconds[path] += float(case.get("time", 0))
    ranked = sorted(seconds.items(), key=lambda pair: -pair[1])
    return {path: round(total) for path, total in ranked if total >= THRESHOLD}


def main(argv: Sequence[str]) -> int:
    """Print HEAVY_FILES's new body from the JUnit report argv[0]."""
    if len(argv) != 1:
        print("Error: give one JUnit report.\nHint: python -m tests.file_order junit.xml")
        return 2
    for path, total in table_from_junit(Path(argv[0])).items():
        print(f'    "{path}": {total},')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
