"""The product spec of a SaaS MVP: entities with typed fields and relations, roles, plans.

    name: Team Board
    entities:
      - name: Project
        fields: [{name: title, type: str}, {name: budget, type: money, required: false}]
        relations: [{name: client, entity: Client}]
    users: {roles: [{name: member, permissions: {"*": [list, read, create]}}],
            default_role: member}
    plans: [{name: free, price: 0, limits: {Project: 3}}]

The models check each value; `check_spec` checks what spans several (names unique and not
reserved, relations to entities that exist and without cycles, roles and plans that name
real entities). `devora.workflows.saas_mvp._load` reads a file into them with file:line.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from devora.errors import DevoraError
from devora.workflows.saas_mvp._names import (
    ENTITY_NAME,
    FIELD_NAME,
    plural,
    reserved_reason,
    snake,
)

__all__ = [
    "ACTIONS",
    "AuthenticationSpec",
    "EntitySpec",
    "FieldSpec",
    "FieldType",
    "PlanSpec",
    "ProductSpec",
    "RelationSpec",
    "RoleSpec",
    "SpecProblem",
    "UsersSpec",
    "check_spec",
]

Action = Literal["list", "read", "create", "update", "delete"]
ACTIONS: tuple[Action, ...] = ("list", "read", "create", "update", "delete")
Path = tuple[str | int, ...]

EntityName = Annotated[str, StringConstraints(pattern=rf"^{ENTITY_NAME.pattern}$")]
FieldName = Annotated[str, StringConstraints(pattern=rf"^{FIELD_NAME.pattern}$")]
Text = Annotated[str, StringConstraints(max_length=500)]


class FieldType(StrEnum):
    """The types a field may have, each with its column, form input and Python type."""

    STR = "str"
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    EMAIL = "email"
    MONEY = "money"
    URL = "url"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Model):
    """A typed column of an entity, shown in its forms and lists."""

    name: FieldName
    type: FieldType
    required: bool = True
    unique: bool = False
    help: Text = ""


class RelationSpec(_Model):
    """A reference to another entity (many to one): the column `<name>_id`."""

    name: FieldName
    entity: EntityName
    required: bool = True


class EntitySpec(_Model):
    """A thing the product manages: its fields, its relations, the field that names a row."""

    name: EntityName
    fields: list[FieldSpec] = Field(min_length=1, max_length=40)
    relations: list[RelationSpec] = Field(default_factory=list, max_length=20)
    label: FieldName | None = Field(
        default=None, description="the field shown for a row; default: the first text field"
    )
    description: Text = ""

    @property
    def snake(self) -> str:
        """`OrderLine` -> `order_line`: variables, form ids."""
        return snake(self.name)

    @property
    def plural(self) -> str:
        """`order_lines`: the table and the URL segment."""
        return plural(self.snake)

    def label_field(self) -> str:
        """The field a row is named by in lists and relation choices."""
        if self.label is not None:
            return self.label
        for field in self.fields:
            if field.type in (FieldType.STR, FieldType.EMAIL, FieldType.TEXT, FieldType.URL):
                return field.name
        return "id"


class RoleSpec(_Model):
    """A role users hold, and what it may do to each entity (`*`: every entity)."""

    name: FieldName
    # `*` is named in the schema: a model held to it by a grammar is offered that key first.
    permissions: dict[str, list[Action]] = Field(
        default_factory=dict,
        json_schema_extra={
            "properties": {"*": {"items": {"enum": list(ACTIONS)}, "type": "array"}}
        },
    )

    def allowed(self, entity: str) -> tuple[Action, ...]:
        """The actions this role may take on `entity`, in ACTIONS order."""
        granted = {*self.permissions.get("*", ()), *self.permissions.get(entity, ())}
        return tuple(action for action in ACTIONS if action in granted)


def _default_roles() -> list[RoleSpec]:
    return [RoleSpec(name="member", permissions={"*": list(ACTIONS)})]


class UsersSpec(_Model):
    """Who uses the product: the roles, and the role a new account gets."""

    roles: list[RoleSpec] = Field(default_factory=_default_roles, min_length=1, max_length=20)
    default_role: FieldName = "member"


class AuthenticationSpec(_Model):
    """How users sign in: email and password (scrypt-hashed), a session cookie or token."""

    method: Literal["password"] = "password"
    signup: bool = True
    password_min_length: int = Field(default=8, ge=8, le=128)
    session_days: int = Field(default=14, ge=1, le=365)


class PlanSpec(_Model):
    """A price plan: its monthly price and how many rows of each entity a user may own."""

    name: FieldName
    # A number in the schema (pydantic's says "number or any string" for a Decimal).
    price: Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0})] = Field(
        default=Decimal(0), ge=0, max_digits=10, decimal_places=2
    )
    limits: dict[str, Annotated[int, Field(ge=0, le=1_000_000)]] = Field(default_factory=dict)


def _default_plans() -> list[PlanSpec]:
    return [PlanSpec(name="free")]


class ProductSpec(_Model):
    """What a SaaS MVP is made from: validated as a whole by `check_spec`."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
    description: Text = ""
    entities: list[EntitySpec] = Field(min_length=1, max_length=30)
    users: UsersSpec = Field(default_factory=UsersSpec)
    authentication: AuthenticationSpec = Field(default_factory=AuthenticationSpec)
    plans: list[PlanSpec] = Field(default_factory=_default_plans, min_length=1, max_length=10)

    def entity(self, name: str) -> EntitySpec:
        """The entity called `name` (KeyError when there is none)."""
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(name)


class SpecProblem(DevoraError):
    """One thing wrong with a spec that pydantic's models alone cannot see, and where."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def check_spec(spec: ProductSpec) -> None:
    """Raise SpecProblem at the first name or reference that the generated code cannot use."""
    _check_entities(spec)
    names = {entity.name for entity in spec.entities}
    for index, entity in enumerate(spec.entities):
        _check_members(entity, ("entities", index), names)
    _check_cycles(spec)
    _check_roles(spec, names)
    _check_plans(spec, names)


def _check_entities(spec: ProductSpec) -> None:
    seen: dict[str, str] = {}
    for index, entity in enumerate(spec.entities):
        where = ("entities", index, "name")
        reason = reserved_reason(entity.name, entity=True)
        if reason is not None:
            raise SpecProblem(where, f"{reason}; choose another entity name")
        for derived in (entity.name.lower(), entity.plural):
            if derived in seen:
                raise SpecProblem(
                    where, f"duplicate entity name {entity.name!r} (clashes with {seen[derived]!r})"
                )
        seen[entity.name.lower()] = seen[entity.plural] = entity.name


def _check_members(entity: EntitySpec, at: Path, names: set[str]) -> None:
    columns: dict[str, str] = {}

    def claim(column: str, owner: str, where: Path) -> None:
        if column in columns:
            raise SpecProblem(
                where,
                f"duplicate name {owner!r} in {entity.name} (clashes with {columns[column]!r})",
            )
        columns[column] = owner

    for index, field in enumerate(entity.fields):
        where = (*at, "fields", index, "name")
        reason = reserved_reason(field.name, entity=False)
        if reason is not None:
            raise SpecProblem(where, f"{reason}; choose another field name")
        claim(field.name, field.name, where)
    for index, relation in enumerate(entity.relations):
        where = (*at, "relations", index)
        reason = reserved_reason(relation.name, entity=False) or reserved_reason(
            f"{relation.name}_id", entity=False
        )
        if reason is not None:
            raise SpecProblem((*where, "name"), f"{reason}; choose another relation name")
        if relation.entity not in names:
            known = ", ".join(sorted(names))
            raise SpecProblem(
                (*where, "entity"),
                f"relation {relation.name!r} refers to entity {relation.entity!r}, which the "
                f"spec does not define (entities: {known})",
            )
        claim(relation.name, relation.name, (*where, "name"))
        claim(f"{relation.name}_id", relation.name, (*where, "name"))
    if entity.label is not None and entity.label not in {f.name for f in entity.fields}:
        raise SpecProblem((*at, "label"), f"label {entity.label!r} is not a field of {entity.name}")


def _check_cycles(spec: ProductSpec) -> None:
    # Tables are created in dependency order; PostgreSQL needs a referenced table to exist.
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        state[name] = "open"
        index = next(i for i, e in enumerate(spec.entities) if e.name == name)
        for position, relation in enumerate(spec.entities[index].relations):
            target = relation.entity
            if target == name:
                continue  # a row referring to a row of its own table is fine
            if state.get(target) == "open":
                raise SpecProblem(
                    ("entities", index, "relations", position, "entity"),
                    f"relations form a cycle through {name} and {target}; make one of them "
                    "a field or drop it",
                )
            if target not in state:
                visit(target)
        state[name] = "done"

    for entity in spec.entities:
        if entity.name not in state:
            visit(entity.name)


def _check_roles(spec: ProductSpec, names: set[str]) -> None:
    roles = [role.name for role in spec.users.roles]
    for index, role in enumerate(spec.users.roles):
        if roles.index(role.name) != index:
            raise SpecProblem(("users", "roles", index, "name"), f"duplicate role {role.name!r}")
        for key in role.permissions:
            if key != "*" and key not in names:
                raise SpecProblem(
                    ("users", "roles", index, "permissions", key),
                    f"role {role.name!r} has permissions on {key!r}, which is not an entity",
                )
    if spec.users.default_role not in roles:
        raise SpecProblem(
            ("users", "default_role"),
            f"default role {spec.users.default_role!r} is not a role ({', '.join(roles)})",
        )


def _check_plans(spec: ProductSpec, names: set[str]) -> None:
    plans = [plan.name for plan in spec.plans]
    for index, plan in enumerate(spec.plans):
        if plans.index(plan.name) != index:
            raise SpecProblem(("plans", index, "name"), f"duplicate plan {plan.name!r}")
        for key in plan.limits:
            if key not in names:
                raise SpecProblem(
                    ("plans", index, "limits", key),
                    f"plan {plan.name!r} limits {key!r}, which is not an entity",
                )
