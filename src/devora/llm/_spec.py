"""Model specs: `provider:model` resolved to an API flavour, a base URL and a key variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from devora.llm._errors import MissingAPIKeyError, ModelSpecError

__all__ = [
    "KNOWN_PROVIDERS",
    "Api",
    "ModelTarget",
    "ProviderPreset",
    "provider_key_variables",
    "resolve_model",
]


class Api(StrEnum):
    """The wire protocol a provider speaks."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"


@dataclass(frozen=True)
class ProviderPreset:
    """Where a named provider lives and which variable holds its key (None: no key needed)."""

    api: Api
    base_url: str | None
    key_variable: str | None


KNOWN_PROVIDERS: Mapping[str, ProviderPreset] = {
    "openai": ProviderPreset(Api.OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "openrouter": ProviderPreset(Api.OPENAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "ollama": ProviderPreset(Api.OPENAI, "http://127.0.0.1:11434/v1", None),
    "anthropic": ProviderPreset(Api.ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
}


def provider_key_variables() -> list[str]:
    """The variables that hold the known providers' keys (masked in every log by default)."""
    return sorted({p.key_variable for p in KNOWN_PROVIDERS.values() if p.key_variable})


# Ollama ignores the key but the OpenAI SDK insists on one.
_PLACEHOLDER_KEY = "not-needed"


@dataclass(frozen=True)
class ModelTarget:
    """A resolved model: everything needed to open a client for it."""

    spec: str
    provider: str
    model: str
    api: Api
    base_url: str | None
    key_variable: str | None
    api_key: str

    def __repr__(self) -> str:
        # The key never appears in a repr, a log or a traceback.
        return (
            f"ModelTarget(spec={self.spec!r}, api={self.api.value!r}, base_url={self.base_url!r}, "
            f"key_variable={self.key_variable!r})"
        )


def resolve_model(
    spec: str,
    *,
    base_url: str | None = None,
    key_variable: str | None = None,
    api: Api | None = None,
    env: Mapping[str, str] | None = None,
) -> ModelTarget:
    """Resolve `provider:model` to a target, reading the API key from the environment.

    `base_url`, `key_variable` and `api` override the provider's preset; with all of them
    an unknown provider name (a vLLM server, say) is accepted.
    """
    environment = os.environ if env is None else env
    provider, sep, model = spec.partition(":")
    provider, model = provider.strip(), model.strip()
    if not sep or not provider:
        raise ModelSpecError(spec, "no provider given")
    if not model:
        raise ModelSpecError(spec, "no model name after the provider")
    preset = KNOWN_PROVIDERS.get(provider)
    if preset is None:
        if base_url is None:
            known = ", ".join(sorted(KNOWN_PROVIDERS))
            raise ModelSpecError(
                spec, f"unknown provider {provider!r} (known: {known}; or give a base_url)"
            )
        preset = ProviderPreset(api or Api.OPENAI, base_url, key_variable)
    variable = key_variable if key_variable is not None else preset.key_variable
    if variable is None:
        api_key = _PLACEHOLDER_KEY
    else:
        api_key = environment.get(variable, "").strip()
        if not api_key:
            raise MissingAPIKeyError(provider, variable)
    return ModelTarget(
        spec=spec,
        provider=provider,
        model=model,
        api=api or preset.api,
        base_url=base_url or preset.base_url,
        key_variable=variable,
        api_key=api_key,
    )
