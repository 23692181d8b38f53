"""Running a project's tests in its environment, test id by test id.

    run = await run_pytest(root, python, ["tests/test_a.py::test_x"])
    run.outcome("tests/test_a.py::test_x")            # passed, failed, error or skipped
    tally_runs([run1, run2, run3], ["tests/test_a.py::test_x"])  # flakiness

A `Reproducer` (pytest test ids, or a command as an argv list) gives a verdict per
checkout: passed, failed, or untestable (exit 125, tests not there), as `git bisect run`.
"""

from devora.tools.testrun._errors import TestRunCrashedError, UnknownTestError
from devora.tools.testrun._model import (
    Reproduction,
    TestCaseResult,
    TestOutcome,
    TestRun,
    TestTally,
)
from devora.tools.testrun._pytest import (
    DEFAULT_TEST_TIMEOUT,
    PYTEST_INSTALL,
    project_path,
    run_pytest,
)
from devora.tools.testrun._repeat import tally_runs
from devora.tools.testrun._reproducer import (
    UNTESTABLE_EXIT,
    Reproducer,
    ReproducerRun,
    Verdict,
    run_reproducer,
)

__all__ = [
    "DEFAULT_TEST_TIMEOUT",
    "PYTEST_INSTALL",
    "UNTESTABLE_EXIT",
    "Reproducer",
    "ReproducerRun",
    "Reproduction",
    "TestCaseResult",
    "TestOutcome",
    "TestRun",
    "TestRunCrashedError",
    "TestTally",
    "UnknownTestError",
    "Verdict",
    "project_path",
    "run_pytest",
    "run_reproducer",
    "tally_runs",
]
