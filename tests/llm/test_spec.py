"""Model specs resolve to provider, base URL and key; bad specs and missing keys fail clearly."""

from __future__ import annotations

import pytest

from devora.errors import EnvironmentProblem, UsageError
from devora.llm import Api, MissingAPIKeyError, ModelSpecError, resolve_model

KEYS = {
    "OPENAI_API_KEY": "sk-openai-key",
    "OPENROUTER_API_KEY": "sk-or-key",
    "ANTHROPIC_API_KEY": "sk-ant-key",
}


@pytest.mark.parametrize(
    ("spec", "api", "base_url", "variable", "model"),
    [
        ("openai:gpt-4o-mini", Api.OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY",
         "gpt-4o-mini"),
        ("openrouter:anthropic/claude-3.5-sonnet", Api.OPENAI, "https://openrouter.ai/api/v1",
         "OPENROUTER_API_KEY", "anthropic/claude-3.5-sonnet"),
        ("ollama:llama3.1", Api.OPENAI, "http://127.0.0.1:11434/v1", None, "llama3.1"),
        ("anthropic:claude-3-5-haiku-latest", Api.ANTHROPIC, "https://api.anthropic.com",
         "ANTHROPIC_API_KEY", "claude-3-5-haiku-latest"),
    ],
)  # fmt: skip
def test_known_providers_resolve(
    spec: str, api: Api, base_url: str, variable: str | None, model: str
) -> None:
    target = resolve_model(spec, env=KEYS)
    assert (target.api, target.base_url, target.key_variable, target.model) == (
        api,
        base_url,
        variable,
        model,
    )


def test_ollama_needs_no_key() -> None:
    target = resolve_model("ollama:llama3.1", env={})
    assert target.api_key  # the SDK insists on some key; Ollama ignores it


def test_custom_base_url_overrides_the_preset() -> None:
    target = resolve_model("openai:gpt-4o", base_url="http://10.0.0.5:8000/v1", env=KEYS)
    assert target.base_url == "http://10.0.0.5:8000/v1"
    assert target.api_key == "sk-openai-key"


def test_unknown_provider_with_base_url_is_an_openai_compatible_server() -> None:
    target = resolve_model(
        "vllm:qwen2.5-coder", base_url="http://gpu:8000/v1", key_variable="VLLM_KEY",
        env={"VLLM_KEY": "k"},
    )  # fmt: skip
    assert (target.api, target.base_url, target.api_key) == (Api.OPENAI, "http://gpu:8000/v1", "k")


@pytest.mark.parametrize("spec", ["gpt-4o-mini", ":gpt-4o", "llama3.1"])
def test_model_without_provider_is_a_usage_error(spec: str) -> None:
    with pytest.raises(ModelSpecError) as caught:
        resolve_model(spec, env=KEYS)
    assert isinstance(caught.value, UsageError)
    assert "no provider given" in caught.value.message
    assert caught.value.hint is not None and "openai:gpt-4o-mini" in caught.value.hint


def test_unknown_provider_lists_the_known_ones() -> None:
    with pytest.raises(ModelSpecError, match=r"unknown provider 'mistral'.*openrouter"):
        resolve_model("mistral:large", env=KEYS)


def test_empty_model_name_is_refused() -> None:
    with pytest.raises(ModelSpecError, match="no model name"):
        resolve_model("openai:", env=KEYS)


@pytest.mark.parametrize(
    ("spec", "variable"),
    [
        ("openai:gpt-4o-mini", "OPENAI_API_KEY"),
        ("openrouter:meta-llama/llama-3.1-8b-instruct", "OPENROUTER_API_KEY"),
        ("anthropic:claude-3-5-haiku-latest", "ANTHROPIC_API_KEY"),
    ],
)
def test_missing_api_key_names_the_variable(spec: str, variable: str) -> None:
    with pytest.raises(MissingAPIKeyError) as caught:
        resolve_model(spec, env={variable: "  "})
    error = caught.value
    assert isinstance(error, EnvironmentProblem)
    assert error.variable == variable
    assert variable in error.message
    assert error.hint is not None and f"export {variable}=" in error.hint


def test_the_key_never_shows_in_repr() -> None:
    target = resolve_model("openai:gpt-4o-mini", env=KEYS)
    assert "sk-openai-key" not in repr(target)
