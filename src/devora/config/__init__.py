"""Devora's configuration: `devora.toml` or `[tool.devora]`, with environment overrides."""

from devora.config._load import ENVIRONMENT_OVERRIDES, ConfigError, load_config, read_section
from devora.config._model import (
    NOTIFICATION_EVENTS,
    AgentConfig,
    AgentsConfig,
    ContactConfig,
    DevoraConfig,
    LLMConfig,
    PriceConfig,
    SquadConfig,
)

__all__ = [
    "ENVIRONMENT_OVERRIDES",
    "NOTIFICATION_EVENTS",
    "AgentConfig",
    "AgentsConfig",
    "ConfigError",
    "ContactConfig",
    "DevoraConfig",
    "LLMConfig",
    "PriceConfig",
    "SquadConfig",
    "load_config",
    "read_section",
]
