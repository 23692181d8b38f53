"""design_api (backend) ∥ design_ui (frontend) → design: the two parts of the design, each
by its squad's LLM agent or a person, validated against its schema, then merged into
design.md. A UI component that calls an API operation neither the API design nor the project
declares is refused: the frontend squad is asked again with a schema that only admits the
declared operations (a model is re-asked, a person's `devora complete` is refused)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, create_model

from devora.engine import StepContext
from devora.squads import AgentTask
from devora.workflows.feature_development._boundaries import (
    find_routes,
    front_end,
    migration_tool,
    openapi_path,
    operation_key,
)
from devora.workflows.feature_development._documents import (
    ApiDesign,
    Design,
    FeaturePlan,
    Prd,
    UiComponent,
    UiDesign,
    UiPart,
)
from devora.workflows.feature_development._markdown import design_markdown
from devora.workflows.feature_development._project import project_map, project_root

__all__ = [
    "declared_operations",
    "design",
    "design_api",
    "design_ui",
    "ui_design_model",
    "undeclared_operations",
]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_NO_FRONT_END = (
    "no front end: no UI package in package.json, no .jsx/.tsx/.vue/.svelte file, no HTML "
    "template, and no frontend task in the plan"
)


def _documents(ctx: StepContext[Any]) -> tuple[Prd, FeaturePlan, str]:
    prd: Prd = ctx.result("analyze")
    plan_: FeaturePlan = ctx.result("plan")
    text = prd.model_dump_json()
    shown = (f"PRD:\n{text}\n\nPlan:\n{plan_.model_dump_json()}\n\n"
             f"The repository's main definitions:\n{project_map(ctx, text)}")  # fmt: skip
    return prd, plan_, shown


def _api_instructions(ctx: StepContext[Any]) -> str:
    root = project_root(ctx)
    routes = find_routes(root)
    migrations = migration_tool(root)
    if routes:
        shown = "\n".join(f"- {route.describe()}" for route in routes[:40])
        api = ("; and an OpenAPI 3 fragment (`openapi`: its paths, each operation with its "
               "responses and path parameters) since the project serves HTTP. Its routes:\n"
               f"{shown}\n")  # fmt: skip
    else:
        api = "; the project declares no HTTP route, so likely none"
    data = (f"; the project keeps its schema in {migrations} migrations: set `migration` on "
            "each change that needs one" if migrations else "")  # fmt: skip
    return (
        f"Design the API and data of this feature (the backend's part): the API changes "
        f"(method, path, summary{api}), the data (tables and columns{data}), and the backend "
        "modules and classes that change. The frontend squad designs the UI components at "
        f"the same time and may only call the operations you declare.\n\n{_documents(ctx)[2]}"
    )


def _ui_instructions(ctx: StepContext[Any]) -> str:
    existing = sorted({_display(r.method, r.path) for r in find_routes(project_root(ctx))})
    served = "\n".join(f"- {op}" for op in existing[:40]) or "- none"
    return (
        "Design the UI components of this feature (the frontend's part): for each component "
        "its name, the route or page it is on, its props and state (name and type), and the "
        'API operations it calls in `uses`, written "METHOD /path" ("GET /items/{id}"). '
        "Call only operations the project already serves (below) or that the backend's API "
        "design adds: one that neither declares is refused.\n\n"
        f"Operations the project serves:\n{served}\n\n{_documents(ctx)[2]}"
    )


_DESIGN_API = AgentTask("backend", ApiDesign, _api_instructions, config_root=project_root)
_DESIGN_UI = AgentTask("frontend", UiDesign, _ui_instructions, config_root=project_root)


async def design_api(ctx: StepContext[Any]) -> ApiDesign:
    """The backend's part: API (an OpenAPI 3 fragment when the project serves HTTP), data."""
    made = await _DESIGN_API.run(ctx)
    ctx.log(f"API design: {len(made.api)} operation(s), {len(made.data)} data change(s)")
    return made


async def design_ui(ctx: StepContext[Any]) -> UiPart:
    """The frontend's part when the project has a front end (or the plan a frontend task);
    otherwise recorded as not needed, with the reason."""
    plan_: FeaturePlan = ctx.result("plan")
    evidence = front_end(project_root(ctx))
    frontend_tasks = [task.id for task in plan_.tasks if task.squad == "frontend"]
    if evidence is None and frontend_tasks:
        evidence = f"the plan has frontend task(s) {', '.join(frontend_tasks)}"
    if evidence is None:
        ctx.log(f"UI design not needed: {_NO_FRONT_END}")
        return UiPart(needed=False, reason=_NO_FRONT_END)
    made = await _DESIGN_UI.run(ctx)
    ctx.log(f"UI design ({evidence}): {len(made.components)} component(s)")
    return UiPart(needed=True, reason=evidence, design=made)


def _display(method: str, path: str) -> str:
    return f"{method.upper()} {openapi_path(path)}"


def declared_operations(api: ApiDesign, root_routes: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Operation key -> how it is written, for the API design's operations (its list and its
    OpenAPI fragment) and the routes the project serves ((method, path); ANY is any method)."""
    found: dict[str, str] = {}
    pairs: list[tuple[str, str]] = [(change.method, change.path) for change in api.api]
    if api.openapi:
        paths = api.openapi.get("paths", api.openapi)
        if isinstance(paths, dict):
            pairs += [(method, str(path)) for path, item in paths.items() if isinstance(item, dict)
                      for method in item if method.upper() in _METHODS]  # fmt: skip
    for method, path in root_routes:
        methods = _METHODS if method == "ANY" else (method,)
        pairs += [(m, path) for m in methods if m.upper() in _METHODS]
    for method, path in pairs:
        found.setdefault(operation_key(method, path), _display(method, path))
    return found


def undeclared_operations(ui: UiDesign, declared: dict[str, str]) -> list[str]:
    """The operations a component calls that are not declared ("Component: GET /x")."""
    return [
        f"{component.name}: {operation}"
        for component in ui.components
        for operation in component.uses
        if operation_key(*operation.split(" ", 1)) not in declared
    ]


def ui_design_model(operations: Sequence[str]) -> type[UiDesign]:
    """UiDesign whose components may call only `operations` (an enum in its JSON schema)."""
    allowed: Any = Literal.__getitem__(tuple(operations)) if operations else str
    described = "API operations it calls: only the declared ones"
    uses: Any = (list[allowed], Field(default_factory=list, max_length=20 if operations else 0,
                                      description=described))  # fmt: skip
    component: Any = create_model("UiComponent", __base__=UiComponent, uses=uses)
    model: type[UiDesign] = create_model(
        "UiDesign", __base__=UiDesign,
        components=(list[component], Field(min_length=1, max_length=20)),
    )  # fmt: skip
    return model


def _revision_instructions(undeclared: list[str], operations: list[str]) -> str:
    listed = "\n".join(f"- {op}" for op in operations) or "- none: call no operation"
    return (
        "The UI design calls API operations that neither the API design nor the project "
        f"declares: {'; '.join(undeclared)}. Give the UI design again, calling only these "
        f"operations:\n{listed}"
    )


async def design(ctx: StepContext[Any]) -> Design:
    """Both parts merged into design.md (the business squad approves it next); a UI part that
    calls an undeclared operation is asked again first."""
    api: ApiDesign = ctx.result("design_api")
    ui: UiPart = ctx.result("design_ui")
    routes = [(route.method, route.path) for route in find_routes(project_root(ctx))]
    declared = declared_operations(api, routes)
    if ui.design is not None:
        undeclared = undeclared_operations(ui.design, declared)
        if undeclared:
            ctx.log("refused: the UI design calls undeclared operation(s) " + "; ".join(undeclared))
            operations = sorted(set(declared.values()))
            again = AgentTask("frontend", ui_design_model(operations),
                              _revision_instructions(undeclared, operations),
                              config_root=project_root)  # fmt: skip
            revised = UiDesign.model_validate((await again.run(ctx)).model_dump())
            ui = UiPart(needed=True, reason=ui.reason, design=revised)
    made = Design(
        **api.model_dump(),
        ui_summary=ui.design.summary if ui.design else "",
        ui=list(ui.design.components) if ui.design else [],
        ui_not_needed=None if ui.needed else ui.reason,
    )
    ctx.add_artifact("design.md", design_markdown(made), media_type="text/markdown")
    return made
