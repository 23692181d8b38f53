"""The requirements step: the product spec, read from a file or written from an idea.

From `--idea`, the business squad's LLM agent writes the spec (validated against the spec
model and its cross-checks, re-asked when it does not fit); without a model, a person
writes it (`devora complete RUN requirements --output spec.yaml`). A spec the agent wrote
is then shown to a person, who may edit it before the run goes on (`spec-review`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from devora.engine import StepContext
from devora.squads import AgentTask
from devora.workflows.saas_mvp._load import load_spec
from devora.workflows.saas_mvp._spec import ProductSpec, SpecProblem, check_spec

__all__ = [
    "CheckedSpec",
    "Requirements",
    "gather_requirements",
    "review_spec",
    "spec_yaml",
    "the_spec",
    "wants_review",
]

_INSTRUCTIONS = """Write the product spec of a SaaS MVP for this idea:

{idea}

The spec names the product, its entities (each with typed fields and, where one refers to
another, relations), the users' roles and what each may do with each entity, the
authentication settings and the plans. Field types: str, text, int, float, bool, date,
datetime, email, money, url. Entity names are CamelCase (Client, OrderLine); field,
relation and role names are snake_case and must not be SQL reserved words (order, user,
group...). Relations may not form a cycle. Keep it small: 2 to 6 entities."""


class CheckedSpec(ProductSpec):
    """A product spec that also passes the checks spanning several fields (names, relations,
    roles, plans): what an agent or a person hands in is held to the same rules as a file."""

    @model_validator(mode="after")
    def _consistent(self) -> CheckedSpec:
        try:
            check_spec(self)
        except SpecProblem as problem:
            where = ".".join(str(part) for part in problem.path)
            raise ValueError(f"{where}: {problem.problem}" if where else problem.problem) from None
        return self


class Requirements(BaseModel):
    """The spec the run builds, and who wrote it."""

    model_config = ConfigDict(frozen=True)

    source: Literal["file", "agent", "person", "reviewed"]
    spec: ProductSpec
    spec_file: str | None = None


def spec_yaml(spec: ProductSpec) -> str:
    """The spec as YAML, as a person would edit it."""
    data = spec.model_dump(mode="json", exclude_defaults=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _instructions(ctx: StepContext[Any]) -> str:
    return _INSTRUCTIONS.format(idea=ctx.inputs.idea)


_WRITE_SPEC = AgentTask("business", CheckedSpec, _instructions)


async def gather_requirements(ctx: StepContext[Any]) -> Requirements:
    """The spec from --spec, or from --idea by the business squad's agent (or a person)."""
    if ctx.inputs.spec is not None:
        spec = load_spec(Path(ctx.inputs.spec))
        requirements = Requirements(source="file", spec=spec, spec_file=ctx.inputs.spec)
    else:
        answered = ctx.answer() is not None  # a person completed the task
        written = await _WRITE_SPEC.run(ctx)
        requirements = Requirements(
            source="person" if answered else "agent",
            spec=ProductSpec.model_validate(written.model_dump()),
        )
    ctx.add_artifact("spec.yaml", spec_yaml(requirements.spec), media_type="application/yaml")
    ctx.log(
        f"spec ({requirements.source}): {requirements.spec.name}, entities "
        + ", ".join(entity.name for entity in requirements.spec.entities)
    )
    return requirements


def wants_review(ctx: StepContext[Any]) -> bool:
    """A spec the agent wrote is reviewed by a person, unless --no-review-spec."""
    requirements: Requirements = ctx.result("requirements")
    return bool(ctx.inputs.review_spec) and requirements.source == "agent"


def review_spec(ctx: StepContext[Any]) -> Requirements:
    """Wait for a person to hand back the agent's spec, edited or as it is."""
    requirements: Requirements = ctx.result("requirements")
    prompt = (
        "The business squad's agent wrote this product spec. Check it, edit it if needed, and "
        "hand it back (as it is or edited) with `devora complete RUN spec-review --output "
        "spec.yaml`; the run generates the project from what you give.\n\n"
        + spec_yaml(requirements.spec)
    )
    reviewed = ctx.wait_for_input(prompt, CheckedSpec, squad="business")
    spec = ProductSpec.model_validate(reviewed.model_dump())
    if spec != requirements.spec:
        ctx.add_artifact("spec.yaml", spec_yaml(spec), media_type="application/yaml")
    return Requirements(source="reviewed", spec=spec)


def the_spec(ctx: StepContext[Any]) -> ProductSpec:
    """The spec the run builds: the reviewed one when there was a review."""
    reviewed: Requirements | None = ctx.result("spec-review")
    requirements: Requirements = reviewed if reviewed is not None else ctx.result("requirements")
    return requirements.spec
