"""The documents a feature is built from, as validated models: the PRD (acceptance criteria
in Given/When/Then form), the plan (tasks, owners, files, dependencies), and the design: the
backend's part (API, data, modules), the frontend's (components) and the two merged."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from devora.workflows.feature_development._boundaries import openapi_problems

__all__ = [
    "AcceptanceCriterion",
    "ApiChange",
    "ApiDesign",
    "ComponentChange",
    "DataChange",
    "Design",
    "FeaturePlan",
    "PlanTask",
    "Prd",
    "UiComponent",
    "UiDesign",
    "UiField",
    "UiPart",
    "UserStory",
]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_AC_ID = r"^AC[1-9][0-9]?$"
# Bounded lengths and counts: the schema is also the grammar a local model is held to, and
# without bounds a small model fills a string or a list until its token limit.
Clause = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Squad = Literal["backend", "frontend"]
Operation = Annotated[
    str, StringConstraints(pattern=r"^(GET|POST|PUT|PATCH|DELETE) /\S*$", max_length=200)
]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserStory(_Document):
    """As a <role>, I want <capability>, so that <benefit>."""

    as_a: Clause
    i_want: Clause
    so_that: Clause


class AcceptanceCriterion(_Document):
    """One testable criterion: Given <context>, When <action>, Then <outcome>."""

    # The schema asks for AC<n> (a grammar-constrained model then numbers its criteria instead
    # of repeating one word); any id of the _ID form is accepted, from a person too.
    id: str = Field(
        pattern=_ID.pattern,
        json_schema_extra={"pattern": _AC_ID},
        description="AC1, AC2, ...; tests are named after it",
    )
    given: Clause
    when: Clause
    then: Clause

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not an id (a letter, then letters, digits, _ or -)")
        return value

    def test_prefix(self) -> str:
        """The prefix of the test functions that check this criterion (test_ac1...)."""
        return "test_" + self.id.lower().replace("-", "_")


class Prd(_Document):
    """The product requirements: what problem, for whom, and how we know it is solved."""

    title: str = Field(min_length=1, max_length=100)
    problem: str = Field(min_length=1, max_length=600)
    user_stories: list[UserStory] = Field(min_length=1, max_length=3)
    acceptance_criteria: list[AcceptanceCriterion] = Field(min_length=1, max_length=6)
    out_of_scope: list[Clause] = Field(default_factory=list, max_length=5)
    open_questions: list[Clause] = Field(default_factory=list, max_length=5)

    @model_validator(mode="after")
    def _unique_criteria(self) -> Prd:
        ids = [c.id.lower() for c in self.acceptance_criteria]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"acceptance criteria ids repeat: {', '.join(repeated)}")
        prefixes = [c.test_prefix() for c in self.acceptance_criteria]
        for prefix in prefixes:
            clash = [p for p in prefixes if p != prefix and p.startswith(prefix + "_")]
            if clash:
                raise ValueError(f"acceptance criterion ids {prefix} and {clash[0]} clash")
        return self


class PlanTask(_Document):
    """One task of the plan: who does it, the files it likely touches, what it waits for."""

    id: str
    title: str = Field(min_length=1)
    squad: Squad
    description: str = ""
    files: list[str] = Field(default_factory=list, description="files it is likely to touch")
    depends_on: list[str] = Field(default_factory=list, description="ids of earlier tasks")

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not an id (a letter, then letters, digits, _ or -)")
        return value


class FeaturePlan(_Document):
    """The tasks, in an order where each comes after those it depends on."""

    tasks: list[PlanTask] = Field(min_length=1)

    @model_validator(mode="after")
    def _dependencies(self) -> FeaturePlan:
        ids = [task.id for task in self.tasks]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"task ids repeat: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}"
            )
        for task in self.tasks:
            unknown = [d for d in task.depends_on if d not in ids]
            if unknown:
                raise ValueError(f"task {task.id} depends on unknown task(s) {', '.join(unknown)}")
        self.ordered()  # raises on a cycle
        return self

    def ordered(self) -> list[PlanTask]:
        """The tasks in dependency order (stable: plan order among the ready ones)."""
        done: list[PlanTask] = []
        pending = list(self.tasks)
        while pending:
            names = {task.id for task in done}
            ready = [task for task in pending if set(task.depends_on) <= names]
            if not ready:
                cycle = ", ".join(task.id for task in pending)
                raise ValueError(f"tasks depend on each other in a cycle: {cycle}")
            done.append(ready[0])
            pending.remove(ready[0])
        return done


class ApiChange(_Document):
    """One change at the HTTP boundary."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(pattern=r"^/")
    summary: str = Field(min_length=1)


class DataChange(_Document):
    """One change to stored data: a table and its columns, and whether it needs a migration."""

    table: str = Field(min_length=1)
    columns: list[str] = Field(default_factory=list)
    migration: bool = False


class ComponentChange(_Document):
    """One module, class or UI component that changes, and how."""

    name: str = Field(min_length=1)
    change: str = Field(min_length=1)


class ApiDesign(_Document):
    """The backend's part of the design: API, data, and the modules that change."""

    summary: str = Field(min_length=1, max_length=600)
    api: list[ApiChange] = Field(default_factory=list)
    openapi: dict[str, object] | None = Field(
        default=None, description="an OpenAPI fragment (paths) when the project serves HTTP"
    )
    data: list[DataChange] = Field(default_factory=list)
    components: list[ComponentChange] = Field(
        default_factory=list, description="backend modules and classes that change"
    )

    @model_validator(mode="after")
    def _openapi_3(self) -> ApiDesign:
        if self.openapi is None:
            return self
        version = self.openapi.get("openapi")
        if version is not None and not str(version).startswith("3."):
            raise ValueError(f"openapi: version {version} is not OpenAPI 3")
        paths = self.openapi.get("paths", self.openapi)
        problems = openapi_problems(paths)
        if problems:
            raise ValueError("openapi is not an OpenAPI 3 fragment: " + "; ".join(problems[:5]))
        return self


class UiField(_Document):
    """One prop or piece of state of a component: its name and type."""

    name: str = Field(min_length=1, max_length=60)
    type: str = Field(min_length=1, max_length=60)


class UiComponent(_Document):
    """One UI component: where it is shown, its props and state, the API operations it calls."""

    name: str = Field(min_length=1, max_length=100)
    route: str | None = Field(
        default=None, pattern=r"^/", max_length=200, description="the route or page it is on"
    )
    change: str = Field(default="new", min_length=1, max_length=200)
    props: list[UiField] = Field(default_factory=list, max_length=20)
    state: list[UiField] = Field(default_factory=list, max_length=20)
    uses: list[Operation] = Field(
        default_factory=list,
        max_length=20,
        description='API operations it calls, as "METHOD /path" ("GET /items/{id}")',
    )


class UiDesign(_Document):
    """The frontend's part of the design: the components that change."""

    summary: str = Field(min_length=1, max_length=600)
    components: list[UiComponent] = Field(min_length=1, max_length=20)


class UiPart(BaseModel):
    """The frontend's part as recorded: the design, or why none was needed."""

    needed: bool
    reason: str = Field(description="why it was needed, or why not")
    design: UiDesign | None = None


class Design(ApiDesign):
    """What changes at the boundaries: API and data (backend), components (both squads)."""

    ui_summary: str = ""
    ui: list[UiComponent] = Field(default_factory=list, description="the frontend's components")
    ui_not_needed: str | None = Field(default=None, description="why no UI design was made")

    @model_validator(mode="after")
    def _something_changes(self) -> Design:
        if not (self.api or self.data or self.components or self.ui):
            raise ValueError("the design changes nothing: no API, data or component change")
        return self
