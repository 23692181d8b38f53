"""Workflow definitions fail at definition time with one clear error; inputs are validated."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from devora.engine import Retry, Step, Workflow
from devora.errors import InputValidationError, WorkflowDefinitionError


async def noop(ctx: object) -> None:
    return None


def test_unknown_need_is_named() -> None:
    with pytest.raises(WorkflowDefinitionError, match="step 'b' needs unknown step 'nope'"):
        Workflow("w", [Step("a", noop), Step("b", noop, needs=["nope"])])


def test_duplicate_step_id() -> None:
    with pytest.raises(WorkflowDefinitionError, match="duplicate step id 'a'"):
        Workflow("w", [Step("a", noop), Step("a", noop)])


def test_cycle_is_shown_as_a_path() -> None:
    with pytest.raises(WorkflowDefinitionError, match=r"cycle: (a -> c -> b -> a|.*->.*)") as info:
        Workflow(
            "w",
            [
                Step("a", noop, needs=["b"]),
                Step("b", noop, needs=["c"]),
                Step("c", noop, needs=["a"]),
                Step("d", noop),
            ],
        )
    path = info.value.problem.split(": ", 1)[1].split(" -> ")
    assert path[0] == path[-1] and set(path) == {"a", "b", "c"}


def test_self_need() -> None:
    with pytest.raises(WorkflowDefinitionError, match="needs itself"):
        Workflow("w", [Step("a", noop, needs=["a"])])


def test_side_effects_require_a_plan() -> None:
    with pytest.raises(
        WorkflowDefinitionError, match="has side effects but its action has no plan"
    ):
        Workflow("w", [Step("a", noop, side_effects=True)])


def test_bad_step_id() -> None:
    with pytest.raises(WorkflowDefinitionError, match="must start with a letter"):
        Workflow("w", [Step("1 bad", noop)])


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Retry(0)


def test_backoff_grows_and_is_capped() -> None:
    retry = Retry(5, backoff=1, factor=2, max_backoff=3, jitter=False)
    assert [retry.delay(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 3]
    jittered = Retry(5, backoff=1, factor=2, max_backoff=3)
    assert all(0 <= jittered.delay(3) <= 3 for _ in range(50))


class Inputs(BaseModel):
    version: str
    count: int = 1


workflow = Workflow("typed", [Step("a", noop)], inputs=Inputs)


def test_missing_input_names_the_field() -> None:
    with pytest.raises(InputValidationError) as info:
        workflow.validate_inputs({})
    assert info.value.problems == [("version", "Field required")]
    assert "version: Field required" in str(info.value)


def test_mistyped_input_names_the_field() -> None:
    with pytest.raises(InputValidationError, match="count: Input should be a valid integer"):
        workflow.validate_inputs({"version": "1", "count": "many"})


def test_unknown_input_is_refused() -> None:
    with pytest.raises(InputValidationError, match="verison: unknown input"):
        workflow.validate_inputs({"verison": "1"})


def test_strings_are_coerced_like_cli_values() -> None:
    assert workflow.validate_inputs({"version": "1.2", "count": "3"}).model_dump() == {
        "version": "1.2",
        "count": 3,
    }


def test_order_respects_needs() -> None:
    wf = Workflow(
        "w", [Step("c", noop, needs=["b"]), Step("b", noop, needs=["a"]), Step("a", noop)]
    )
    assert wf.order.index("a") < wf.order.index("b") < wf.order.index("c")
