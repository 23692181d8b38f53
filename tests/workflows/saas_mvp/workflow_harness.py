"""What the saas-mvp workflow tests share: the example spec, a PostgreSQL server, a cwd whose
devora.toml makes pip-audit optional (this machine cannot reach its vulnerability service)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.harness import Devora
from tests.conftest import POSTGRES_URL, postgres_available, require

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "saas-spec.yaml"
CONFIG = '[saas_mvp]\ngate_optional = ["pip-audit"]\n'


def saas_env(*, postgres: bool = True) -> dict[str, str]:
    """The environment of a saas-mvp run: a PostgreSQL server (required, in CI), no model."""
    if postgres:
        require(postgres_available(), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    return {"DEVORA_SAAS_POSTGRES_URL": POSTGRES_URL if postgres else "", "DEVORA_MODEL": ""}


def configure(devora: Devora, text: str = CONFIG) -> Path:
    """Write the devora.toml of the directory `devora` runs in; its path."""
    config = devora.home.parent / "devora.toml"
    config.write_text(text)
    return config
