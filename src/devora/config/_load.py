"""Reading the configuration: devora.toml, else [tool.devora] in pyproject.toml, then env."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from devora.config._model import DevoraConfig
from devora.errors import UsageError

__all__ = ["ConfigError", "load_config", "read_section"]

# Environment variables that override the file (DESIGN: the environment wins).
ENVIRONMENT_OVERRIDES = {
    "DEVORA_MODEL": ("llm", "model"),
    "DEVORA_LLM_BASE_URL": ("llm", "base_url"),
    "DEVORA_MAX_TOKENS": ("llm", "max_tokens"),
    "DEVORA_MAX_COST": ("llm", "max_cost"),
    "DEVORA_LLM_STRUCTURED_OUTPUT": ("llm", "structured_output"),
    "DEVORA_BROKER_URL": ("celery", "broker_url"),
    "DEVORA_LEASE_SECONDS": ("celery", "lease_seconds"),
    "DEVORA_REDISPATCH_SECONDS": ("celery", "redispatch_seconds"),
}


class ConfigError(UsageError):
    """The configuration file cannot be read or does not fit Devora's configuration."""

    code = "config"

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"invalid Devora configuration in {path}: {problem}",
            hint="see docs/configuration.md for the keys Devora reads",
        )


def load_config(root: Path | None = None, env: Mapping[str, str] | None = None) -> DevoraConfig:
    """The effective configuration for a project directory (default: the current one)."""
    environ = os.environ if env is None else env
    explicit = environ.get("DEVORA_CONFIG")
    directory = (root or Path.cwd()).resolve()
    data: dict[str, Any] = {}
    source: Path | None = None
    if explicit:
        source = Path(explicit)
        if not source.is_file():
            raise ConfigError(explicit, "DEVORA_CONFIG names a file that does not exist")
        data = _read_toml(source)
    elif (directory / "devora.toml").is_file():
        source = directory / "devora.toml"
        data = _read_toml(source)
    elif (directory / "pyproject.toml").is_file():
        pyproject = _read_toml(directory / "pyproject.toml")
        tool = pyproject.get("tool")
        section = tool.get("devora") if isinstance(tool, dict) else None
        if section is not None:
            source = directory / "pyproject.toml"
            data = section
    if environ.get("DEVORA_EXECUTOR") and isinstance(data, dict):
        data["executor"] = environ["DEVORA_EXECUTOR"]
    for variable, (table, key) in ENVIRONMENT_OVERRIDES.items():
        if environ.get(variable) and isinstance(data, dict):
            values = data.setdefault(table, {})
            if isinstance(values, dict):  # else validation names the table that is not one
                values[key] = environ[variable]
    try:
        config = DevoraConfig.model_validate(data)
    except ValidationError as exc:
        where = str(source) if source else "the environment"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigError(where, problems) from exc
    config.source = str(source) if source else None
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            str(path), f"not UTF-8 text (byte {exc.start}): a TOML file is UTF-8"
        ) from exc
    except RecursionError as exc:
        raise ConfigError(str(path), "nested too deeply to be a configuration") from exc
    except OSError as exc:
        raise ConfigError(str(path), exc.strerror or str(exc)) from exc


def read_section(
    directory: Path,
    name: str,
    unreadable: Callable[[Path, Exception], Exception],
) -> tuple[Any, Path] | None:
    """A workflow's own section and the file holding it, or None when neither file has one.

    `[NAME]` in devora.toml comes first, then `[tool.devora.NAME]` in pyproject.toml; a
    missing or empty section counts as none. A file that cannot be read raises
    `unreadable(path, error)`, so each workflow keeps its own error.
    """
    for file, keys in (
        (directory / "devora.toml", (name,)),
        (directory / "pyproject.toml", ("tool", "devora", name)),
    ):
        if not file.is_file():
            continue
        try:
            data: Any = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, RecursionError, tomllib.TOMLDecodeError) as error:
            raise unreadable(file, error) from error
        for key in keys:
            data = data.get(key) if isinstance(data, dict) else None
        if data not in (None, {}):
            return data, file
    return None
