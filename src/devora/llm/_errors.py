"""The LLM layer's errors, built from structured fields, each with a hint.

    DevoraError
    ├── UsageError
    │   ├── ModelSpecError              a model name Devora cannot map to a provider
    │   └── PriceMissingError           a cost budget for a model with no price
    ├── EnvironmentProblem
    │   └── MissingAPIKeyError          the provider's key variable is not set
    └── StepError
        ├── ProviderError               the provider failed (after retries, if retryable)
        │   └── ProviderTimeoutError    no answer within the request timeout (a TimedOut too)
        ├── StructuredOutputError       no valid structured answer after the bounded attempts
        └── BudgetExceeded              the run's token or cost budget is spent

SDK errors are translated into ProviderError in the provider modules, ``from`` the original.
"""

from __future__ import annotations

from devora.errors import EnvironmentProblem, StepError, TimedOut, UsageError

__all__ = [
    "BudgetExceeded",
    "MissingAPIKeyError",
    "ModelSpecError",
    "PriceMissingError",
    "ProviderError",
    "ProviderTimeoutError",
    "StructuredOutputError",
]

_SPEC_HINT = (
    "write the model as PROVIDER:MODEL, e.g. openai:gpt-4o-mini, "
    "openrouter:anthropic/claude-3.5-sonnet, ollama:llama3.1, anthropic:claude-3-5-haiku-latest"
)


class ModelSpecError(UsageError):
    """A model spec names no provider, or one Devora does not know."""

    code = "model_spec"

    def __init__(self, spec: str, problem: str) -> None:
        self.spec = spec
        self.problem = problem
        super().__init__(f"cannot use model {spec!r}: {problem}", hint=_SPEC_HINT)


class PriceMissingError(UsageError):
    """A cost budget is set but the model has no price, so the cost cannot be counted."""

    code = "price_missing"

    def __init__(self, model: str) -> None:
        self.model = model
        super().__init__(
            f"a cost budget is set but the price table has no price for model {model!r}",
            hint="add the model to the price table ($ per million input/output tokens), "
            "or drop max_cost from the budget",
        )


class MissingAPIKeyError(EnvironmentProblem):
    """The environment variable that holds the provider's API key is not set."""

    code = "missing_api_key"

    def __init__(self, provider: str, variable: str) -> None:
        self.provider = provider
        self.variable = variable
        super().__init__(
            f"the {provider} API key is missing: environment variable {variable} is not set",
            hint=f"export {variable}=<your key> (keys are read from the environment only)",
        )


class ProviderError(StepError):
    """The provider answered with an error, or could not be reached."""

    code = "provider_error"

    def __init__(
        self,
        provider: str,
        problem: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        self.provider = provider
        self.problem = problem
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        where = f"HTTP {status}: " if status is not None else ""
        super().__init__(
            f"{provider} request failed: {where}{problem}",
            hint=hint or _hint_for_status(status),
        )

    def give_up(self, why: str) -> ProviderError:
        """This error, saying why it was not retried (again)."""
        self.message = f"{self.message} ({why})"
        self.args = (self.message,)
        return self


def _hint_for_status(status: int | None) -> str:
    if status in (401, 403):
        return "check the API key and that it may use this model"
    if status == 404:
        return "check the model name and the base URL"
    if status == 429:
        return "the provider is rate limiting; wait, lower concurrency, or raise the retry limit"
    if status is not None and status >= 500:
        return "the provider is failing; try again later or use another provider"
    return "check the base URL, the model name and the network"


class ProviderTimeoutError(ProviderError, TimedOut):
    """The provider gave no answer within the request timeout."""

    code = "provider_timeout"

    def __init__(self, provider: str, timeout: float) -> None:
        self.timeout = self.limit = timeout
        self.what = f"the {provider} provider"
        super().__init__(
            provider,
            f"no answer within the request timeout of {timeout:g}s",
            retryable=True,
            hint="raise the request timeout, or use a faster model or provider",
        )


class StructuredOutputError(StepError):
    """The model did not produce an answer that fits the output model."""

    code = "structured_output"

    def __init__(self, output_model: str, attempts: int, last_error: str) -> None:
        self.output_model = output_model
        self.attempts = attempts
        self.last_error = last_error
        super().__init__(
            f"the model gave no answer fitting {output_model} after {attempts} attempt(s); "
            f"last error: {last_error}",
            hint="simplify the output model, describe its fields in the prompt, "
            "or use a stronger model",
        )


class BudgetExceeded(StepError):
    """The token or cost budget is spent."""

    code = "budget_exceeded"

    def __init__(self, what: str, used: float, limit: float) -> None:
        self.what = what
        self.used = used
        self.limit = limit
        unit = "$" if what == "cost" else ""
        super().__init__(
            f"LLM {what} budget exceeded: used {unit}{used:g} of {unit}{limit:g}",
            hint=f"raise the budget's max_{'cost' if what == 'cost' else 'tokens'}, "
            "or give the step a smaller task",
        )
