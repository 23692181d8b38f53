"""Named fault-injection points, so tests can kill a run at exact commit boundaries.

Set ``DEVORA_CRASH_AT=POINT:STEP`` (several separated by commas) and the process kills
itself with SIGKILL when it reaches that point for that step:

- ``before_commit:STEP`` — the step finished, its result is about to be committed;
- ``after_commit:STEP`` — the commit holding the step's result has just landed;
- ``in_step:STEP`` — the step has started (its start is committed) and is running.

Unset in production: the check is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from typing import Any

__all__ = ["fault_point", "fault_point_in_step"]


def _parse(spec: str) -> frozenset[tuple[str, str]]:
    points = set()
    for item in spec.split(","):
        point, _, step = item.strip().partition(":")
        if point and step:
            points.add((point, step))
    return frozenset(points)


_POINTS = _parse(os.environ.get("DEVORA_CRASH_AT", ""))


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def fault_point(point: str, batch: Any) -> None:
    """Crash if a step whose result is in `batch` is armed at `point`."""
    if not _POINTS:
        return
    for record in batch.attempts:
        if (point, record.step_id) in _POINTS:
            _crash()


def fault_point_in_step(step_id: str) -> None:
    """Crash if the step is armed at `in_step`."""
    if _POINTS and ("in_step", step_id) in _POINTS:
        _crash()
