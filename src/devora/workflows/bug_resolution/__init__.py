"""The bug-resolution workflow: reproduce, bisect, localize, repair and prove it."""

from devora.workflows.bug_resolution._errors import DirtyTreeError, NoFixError, NotReproducedError
from devora.workflows.bug_resolution._inputs import BugInputs, Component
from devora.workflows.bug_resolution._records import (
    Candidate,
    CandidateKind,
    FixOutcome,
    Judgement,
    LocalizationReport,
    ReproductionReport,
)
from devora.workflows.bug_resolution._workflow import (
    bug_resolution,
    bug_resolution_outputs,
    bug_resolution_steps,
)

__all__ = [
    "BugInputs",
    "Candidate",
    "CandidateKind",
    "Component",
    "DirtyTreeError",
    "FixOutcome",
    "Judgement",
    "LocalizationReport",
    "NoFixError",
    "NotReproducedError",
    "ReproductionReport",
    "bug_resolution",
    "bug_resolution_outputs",
    "bug_resolution_steps",
]
