"""The SaaS MVP run's inputs: a spec file or an idea, where to generate, how to deploy.

Checked before a run is recorded (`preflight`): the spec reads and validates (file:line on
error), the output directory is new or empty, a PostgreSQL server is there to verify the
migration on, and the deploy command (from `[saas_mvp] deploy` in devora.toml, recorded
with the run) is an argv list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from devora.config import read_section
from devora.errors import UsageError
from devora.secrets import url_password
from devora.workflows.saas_mvp._errors import OutputNotEmptyError
from devora.workflows.saas_mvp._load import load_spec
from devora.workflows.saas_mvp._names import package_name
from devora.workflows.saas_mvp._verify_migration import POSTGRES_URL_ENV, postgres_server_url

__all__ = ["SaasConfigError", "SaasMvpInputs", "check_output_directory", "preflight_saas_mvp"]

SECTION = "saas_mvp"


class SaasConfigError(UsageError):
    """The run cannot start as configured (no PostgreSQL, a bad `[saas_mvp]` section)."""

    code = "saas_config"


class _FileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deploy: list[str] | None = Field(default=None, min_length=1)
    gate_optional: list[str] | None = None
    enrich: bool | None = None


class SaasMvpInputs(BaseModel):
    """What to build, where, and how to check and deploy it."""

    spec: str | None = Field(default=None, description="the product spec (YAML or JSON file)")
    idea: str | None = Field(
        default=None, description="a free-text idea the business squad turns into a spec"
    )
    out: str | None = Field(
        default=None, description="where to generate (new or empty; default ./<product name>)"
    )
    review_spec: bool = Field(
        default=True, description="with --idea: a person approves or edits the spec first"
    )
    postgres_url: str | None = Field(
        default=None,
        description=f"the PostgreSQL server to check the migration on (else ${POSTGRES_URL_ENV})",
    )
    min_score: int = Field(default=90, ge=0, le=100, description="the quality gate's minimum")
    deploy: bool = Field(default=True, description="deploy once verified (default: start it here)")
    deploy_command: list[str] | None = Field(
        default=None, description="the deploy argv (default: [saas_mvp] deploy in devora.toml)"
    )
    gate_optional: list[str] | None = Field(
        default=None,
        description="gate checks that may not run without failing it (written to the "
        "project's devora.toml; default: [saas_mvp] gate_optional)",
    )

    enrich: bool | None = Field(
        default=None,
        description="the coding agent improves the verified project in a worktree; kept only "
        "when every check passes again (default: [saas_mvp] enrich, else off)",
    )
    enrich_request: str | None = Field(
        default=None,
        description="with --enrich: what the agent should do (else copy or one "
        "endpoint, its choice)",
    )

    @field_validator("postgres_url")
    @classmethod
    def _no_password(cls, value: str | None) -> str | None:
        if value and url_password(value) is not None:
            raise ValueError(
                f"a URL with a password would be stored with the run; put it in "
                f"${POSTGRES_URL_ENV} instead"
            )
        return value

    @field_validator("idea")
    @classmethod
    def _some_idea(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("the idea is empty: describe the product in a sentence or more")
        return value

    @model_validator(mode="after")
    def _resolved(self) -> SaasMvpInputs:
        if (self.spec is None) == (self.idea is None):
            raise ValueError("give either --spec FILE or --idea TEXT (exactly one)")
        if self.spec is not None:
            spec_path = Path(self.spec).expanduser()
            if not spec_path.is_file():
                raise ValueError(f"spec: {self.spec} is not a file")
            self.spec = str(spec_path.resolve())
        if self.out is None:
            if self.spec is None:
                raise ValueError("out: --out DIR is required with --idea")
            self.out = str(Path.cwd() / package_name(load_spec(Path(self.spec)).name))
        self.out = str(Path(self.out).expanduser().absolute())
        if self.deploy_command is None or self.gate_optional is None or self.enrich is None:
            config = _file_config(Path.cwd())
            if self.deploy_command is None:
                self.deploy_command = config.deploy
            if self.gate_optional is None:
                self.gate_optional = config.gate_optional
            if self.enrich is None:
                self.enrich = bool(config.enrich)
        return self


def _file_config(directory: Path) -> _FileConfig:
    found = read_section(
        directory, SECTION, lambda file, error: SaasConfigError(f"cannot read {file}: {error}")
    )
    if found is None:
        return _FileConfig()
    data, file = found
    try:
        return _FileConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SaasConfigError(
            f"invalid [{SECTION}] in {file}: {where}: {first['msg']}",
            hint='deploy is an argv list, e.g. deploy = ["./deploy.sh", "--staging"]',
        ) from error


def check_output_directory(out: Path) -> None:
    """OutputNotEmptyError when `out` exists and is not an empty directory."""
    if out.exists() and not out.is_dir():
        raise OutputNotEmptyError(out, reason="exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        raise OutputNotEmptyError(out)


async def preflight_saas_mvp(inputs: Any) -> None:
    """Before a run is recorded: the spec, the output directory, a PostgreSQL server."""
    assert isinstance(inputs, SaasMvpInputs)
    if inputs.spec is not None:
        load_spec(Path(inputs.spec))  # SpecError names the field with file:line
    assert inputs.out is not None
    check_output_directory(Path(inputs.out))
    if postgres_server_url(inputs.postgres_url) is None:
        raise SaasConfigError(
            "no PostgreSQL server to check the generated migration on",
            hint=f"export {POSTGRES_URL_ENV}=postgresql://user@127.0.0.1:5432/postgres, or pass "
            "--postgres-url (the database is created for the run and dropped afterwards)",
        )
