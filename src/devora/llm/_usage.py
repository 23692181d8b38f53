"""Token usage and cost: a price table, the running Usage, and the Budget that caps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from devora.errors import UsageError
from devora.llm._errors import BudgetExceeded

__all__ = [
    "Budget",
    "ModelUsage",
    "Price",
    "PriceTable",
    "Usage",
    "parse_price_table",
    "price_for",
]


@dataclass(frozen=True)
class Price:
    """Dollars per million input and output tokens."""

    input_per_million: float
    output_per_million: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The cost of a call with these token counts."""
        return (
            input_tokens * self.input_per_million + output_tokens * self.output_per_million
        ) / 1_000_000


PriceTable = Mapping[str, Price]


def parse_price_table(
    raw: Mapping[str, object], *, source: str = "price table"
) -> dict[str, Price]:
    """Prices from configuration: `{model: {input = $, output = $}}` or `{model: [in, out]}`."""
    prices: dict[str, Price] = {}
    for model, entry in raw.items():
        numbers: Sequence[object] = ()
        if isinstance(entry, Mapping) and set(entry) == {"input", "output"}:
            numbers = (entry["input"], entry["output"])
        elif isinstance(entry, (list, tuple)):
            numbers = entry
        values = [_dollars(n) for n in numbers]
        if len(values) != 2 or values[0] is None or values[1] is None:
            raise UsageError(
                f"{source}: the price of {model!r} must be two non-negative numbers "
                f"($ per million input and output tokens), not {entry!r}",
                hint=f'write it as "{model}" = {{ input = 0.15, output = 0.60 }}',
            )
        prices[model] = Price(values[0], values[1])
    return prices


def _dollars(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return float(value)


def price_for(prices: PriceTable, spec: str, model: str) -> Price | None:
    """The price of a model, looked up by full spec (`openai:gpt-4o-mini`) then bare name."""
    return prices.get(spec) or prices.get(model)


class ModelUsage(BaseModel):
    """Tokens and dollars spent on one model."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


class Usage(BaseModel):
    """Tokens and dollars spent so far, accumulated over calls (share one per step or run)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    unpriced_calls: int = Field(default=0, description="calls whose model has no price")
    by_model: dict[str, ModelUsage] = Field(default_factory=dict)

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def add(self, model: str, input_tokens: int, output_tokens: int, price: Price | None) -> None:
        """Count one call."""
        cost = 0.0 if price is None else price.cost(input_tokens, output_tokens)
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cost += cost
        self.unpriced_calls += price is None
        entry = self.by_model.setdefault(model, ModelUsage())
        entry.calls += 1
        entry.input_tokens += input_tokens
        entry.output_tokens += output_tokens
        entry.cost += cost

    def since(self, earlier: Usage) -> Usage:
        """What was spent after `earlier` (a snapshot of this usage): one step's share."""
        spent = Usage(
            calls=self.calls - earlier.calls,
            input_tokens=self.input_tokens - earlier.input_tokens,
            output_tokens=self.output_tokens - earlier.output_tokens,
            cost=self.cost - earlier.cost,
            unpriced_calls=self.unpriced_calls - earlier.unpriced_calls,
        )
        for model, now in self.by_model.items():
            before = earlier.by_model.get(model, ModelUsage())
            if now.calls > before.calls:
                spent.by_model[model] = ModelUsage(
                    calls=now.calls - before.calls,
                    input_tokens=now.input_tokens - before.input_tokens,
                    output_tokens=now.output_tokens - before.output_tokens,
                    cost=now.cost - before.cost,
                )
        return spent

    def merge(self, other: Usage) -> None:
        """Add another usage (a step's, into its run's)."""
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost += other.cost
        self.unpriced_calls += other.unpriced_calls
        for model, theirs in other.by_model.items():
            entry = self.by_model.setdefault(model, ModelUsage())
            entry.calls += theirs.calls
            entry.input_tokens += theirs.input_tokens
            entry.output_tokens += theirs.output_tokens
            entry.cost += theirs.cost


@dataclass(frozen=True)
class Budget:
    """Limits on tokens and dollars; None means no limit."""

    max_tokens: int | None = None
    max_cost: float | None = None

    def check_before(self, usage: Usage) -> None:
        """Refuse a new call when the budget is already spent."""
        if self.max_tokens is not None and usage.total_tokens >= self.max_tokens:
            raise BudgetExceeded("token", usage.total_tokens, self.max_tokens)
        if self.max_cost is not None and usage.cost >= self.max_cost:
            raise BudgetExceeded("cost", round(usage.cost, 6), self.max_cost)

    def check_after(self, usage: Usage) -> None:
        """Fail once a call has taken usage past the budget."""
        if self.max_tokens is not None and usage.total_tokens > self.max_tokens:
            raise BudgetExceeded("token", usage.total_tokens, self.max_tokens)
        if self.max_cost is not None and usage.cost > self.max_cost:
            raise BudgetExceeded("cost", round(usage.cost, 6), self.max_cost)
