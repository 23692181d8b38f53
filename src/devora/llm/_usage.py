"""Token usage and cost: a price table, the running Usage, and the Budget that caps it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from devora.llm._errors import BudgetExceeded

__all__ = ["Budget", "Price", "PriceTable", "Usage", "price_for"]


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


def price_for(prices: PriceTable, spec: str, model: str) -> Price | None:
    """The price of a model, looked up by full spec (`openai:gpt-4o-mini`) then bare name."""
    return prices.get(spec) or prices.get(model)


@dataclass
class Usage:
    """Tokens and dollars spent so far, accumulated over calls (share one per run)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    unpriced_calls: int = 0
    by_model: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def add(self, model: str, input_tokens: int, output_tokens: int, price: Price | None) -> None:
        """Count one call."""
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        if price is None:
            self.unpriced_calls += 1
        else:
            self.cost += price.cost(input_tokens, output_tokens)
        before_in, before_out = self.by_model.get(model, (0, 0))
        self.by_model[model] = (before_in + input_tokens, before_out + output_tokens)


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
