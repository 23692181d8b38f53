"""The quality step without the quality-gate workflow: a clear failure, not a crash."""

from __future__ import annotations

import pytest

from devora.errors import StepError
from devora.workflows.release import _quality


def test_a_missing_quality_gate_fails_the_step_with_a_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_quality, "QUALITY_GATE", "devora.workflows.no_such_gate:quality_gate")

    with pytest.raises(StepError) as raised:
        _quality._load_gate()

    assert "the quality gate is not available" in raised.value.message
    assert raised.value.hint is not None and "without --quality-gate" in raised.value.hint


def test_the_built_in_quality_gate_is_found() -> None:
    assert _quality._load_gate().name == "quality-gate"
