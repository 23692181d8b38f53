"""Usage accounting and the budget, without a server."""

from __future__ import annotations

import pytest

from devora.errors import UsageError
from devora.llm import Budget, BudgetExceeded, Price, Usage, parse_price_table, price_for


def test_price_is_per_million_tokens() -> None:
    assert Price(3.0, 15.0).cost(1_000_000, 200_000) == pytest.approx(6.0)


def test_price_lookup_by_spec_then_bare_model() -> None:
    prices = {"openrouter:x/y": Price(1, 1), "gpt-4o": Price(2, 2)}
    assert price_for(prices, "openrouter:x/y", "x/y") == Price(1, 1)
    assert price_for(prices, "openai:gpt-4o", "gpt-4o") == Price(2, 2)
    assert price_for(prices, "openai:o3", "o3") is None


def test_usage_adds_merges_and_splits_by_step() -> None:
    run = Usage()
    run.add("a:m", 100, 10, Price(1, 2))
    snapshot = run.model_copy(deep=True)
    run.add("a:m", 50, 5, Price(1, 2))
    run.add("b:n", 7, 3, None)
    step = run.since(snapshot)
    assert (step.calls, step.input_tokens, step.output_tokens, step.unpriced_calls) == (2, 57, 8, 1)
    assert step.by_model["a:m"].calls == 1 and step.by_model["a:m"].input_tokens == 50
    assert step.cost == pytest.approx((50 * 1 + 5 * 2) / 1e6)

    total = Usage()
    total.merge(snapshot)
    total.merge(step)
    assert total == run
    assert Usage.model_validate_json(run.model_dump_json()) == run


def test_budget_before_and_after() -> None:
    usage = Usage()
    budget = Budget(max_tokens=100, max_cost=1.0)
    budget.check_before(usage)
    usage.add("m", 60, 40, Price(0, 0))
    budget.check_after(usage)  # exactly at the limit is allowed...
    with pytest.raises(BudgetExceeded, match="token budget exceeded: used 100 of 100"):
        budget.check_before(usage)  # ...but nothing more may be asked
    costly = Usage()
    costly.add("m", 1_000_000, 0, Price(1.5, 0))
    with pytest.raises(BudgetExceeded) as caught:
        Budget(max_cost=1.0).check_after(costly)
    assert (caught.value.what, caught.value.used, caught.value.limit) == ("cost", 1.5, 1.0)
    assert "$1.5 of $1" in caught.value.message
    assert caught.value.hint is not None and "max_cost" in caught.value.hint


def test_price_table_from_configuration() -> None:
    table = parse_price_table({"gpt-4o-mini": {"input": 0.15, "output": 0.6}, "o3": [2, 8]})
    assert table == {"gpt-4o-mini": Price(0.15, 0.6), "o3": Price(2.0, 8.0)}


@pytest.mark.parametrize("entry", [{"input": 1}, [1], [1, -2], ["1", 2], 3, [True, 1]])
def test_a_bad_price_names_the_model(entry: object) -> None:
    with pytest.raises(UsageError, match=r"devora\.toml: the price of 'm' must be two") as caught:
        parse_price_table({"m": entry}, source="devora.toml")
    assert caught.value.hint is not None and "input = 0.15" in caught.value.hint
