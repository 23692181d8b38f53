"""From a model spec to a ready provider; the SDKs are imported only here, when needed."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from devora.errors import ToolNotInstalledError
from devora.llm._provider import Provider, ProviderOptions
from devora.llm._spec import Api, resolve_model

__all__ = ["load_provider_class", "open_provider"]

_CLASSES = {
    Api.OPENAI: ("devora.llm._openai", "OpenAIProvider", "openai"),
    Api.ANTHROPIC: ("devora.llm._anthropic", "AnthropicProvider", "anthropic"),
}


def load_provider_class(api: Api) -> type[Provider]:
    """The provider class for `api`; a clear error when its SDK is not installed."""
    module_name, class_name, sdk = _CLASSES[api]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ToolNotInstalledError(
            f"the {sdk} Python package", "pip install 'devora[llm]'"
        ) from error
    provider_class: type[Provider] = getattr(module, class_name)
    return provider_class


def open_provider(
    spec: str,
    options: ProviderOptions | None = None,
    *,
    base_url: str | None = None,
    key_variable: str | None = None,
    api: Api | None = None,
    env: Mapping[str, str] | None = None,
) -> Provider:
    """The provider for `provider:model` (an async context manager that closes its client)."""
    target = resolve_model(spec, base_url=base_url, key_variable=key_variable, api=api, env=env)
    return load_provider_class(target.api)(target, options)
