"""The design by both squads: the front end found or not, the operations a UI design may
call, the schema that refuses an undeclared one, and a run where people answer both parts
and a component calling an undeclared operation is refused at `devora complete`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from devora.workflows.feature_development import ApiDesign, UiDesign
from devora.workflows.feature_development._boundaries import front_end, operation_key
from devora.workflows.feature_development._design import (
    declared_operations,
    ui_design_model,
    undeclared_operations,
)
from tests.cli.harness import Devora, assert_one_clear_error, finished_event
from tests.workflows.feature_development.conftest import (
    DESIGN,
    PLAN,
    PRD,
    REQUEST,
    UI_DESIGN,
    make_project,
    no_model,
)

API = DESIGN | {"api": [{"method": "POST", "path": "/carts/{id}/discount", "summary": "apply"}]}


def with_uses(*operations: str) -> dict[str, Any]:
    [component] = UI_DESIGN["components"]
    return UI_DESIGN | {"components": [component | {"uses": list(operations)}]}


def test_a_front_end_is_found_by_its_package_files_or_templates(tmp_path: Path) -> None:
    def made(name: str, files: dict[str, str]) -> Path:
        for file, text in files.items():
            (tmp_path / name / file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / file).write_text(text)
        return tmp_path / name

    react = made("r", {"package.json": json.dumps({"dependencies": {"react": "^18"}})})
    assert front_end(react) == "package.json depends on react"
    assert front_end(made("v", {"web/src/App.vue": ""})) == "UI component files (web/src/App.vue)"
    html = made("h", {"shop/templates/cart.html": ""})
    assert front_end(html) == "HTML templates (shop/templates/cart.html)"
    backend = made("b", {"package.json": "{}", "src/x.py": "", "node_modules/a/b.jsx": ""})
    assert front_end(backend) is None


def test_declared_operations_are_the_designs_and_the_projects() -> None:
    api = ApiDesign.model_validate(API)
    declared = declared_operations(api, [("GET", "/carts/:id"), ("ANY", "/orders/<int:pk>/")])
    assert declared[operation_key("POST", "/carts/{cart}/discount")] == "POST /carts/{id}/discount"
    assert declared[operation_key("GET", "/carts/{x}")] == "GET /carts/{id}"
    assert operation_key("DELETE", "/orders/{pk}") in declared  # Django's: any method
    ui = UiDesign.model_validate(with_uses("POST /carts/{cart_id}/discount", "GET /coupons"))
    assert undeclared_operations(ui, declared) == ["CartTotal: GET /coupons"]


def test_the_revision_schema_admits_only_declared_operations() -> None:
    model = ui_design_model(["GET /carts/{id}", "POST /carts/{id}/discount"])
    model.model_validate(with_uses("GET /carts/{id}"))
    with pytest.raises(ValidationError, match=re.escape("GET /carts/{id}")):
        model.model_validate(with_uses("GET /coupons"))
    schema = json.dumps(model.model_json_schema())
    assert '"enum": ["GET /carts/{id}", "POST /carts/{id}/discount"]' in schema
    with pytest.raises(ValidationError):
        ui_design_model([]).model_validate(with_uses("GET /carts/{id}"))


def complete(devora: Devora, tmp_path: Path, run_id: str, step: str, payload: Any) -> Any:
    file = tmp_path / f"{step}.json"
    file.write_text(json.dumps(payload))
    return devora("complete", run_id, step, "--output", str(file), timeout=600, **no_model())


def waiting(devora: Devora) -> list[tuple[str, str]]:
    tasks = json.loads(devora("tasks", "--json").stdout)
    return sorted((task["step_id"], task["squad"]) for task in tasks)


@pytest.mark.slow
def test_people_design_both_parts_and_an_undeclared_call_is_refused(
    devora: Devora, tmp_path: Path
) -> None:
    repo = make_project(tmp_path / "shop", files={"src/shop/templates/cart.html": "<p></p>\n"})
    first = devora("run", "feature-development", str(repo), "--request", REQUEST, "--json",
                   timeout=600, **no_model())  # fmt: skip
    run_id = str(finished_event(first)["run_id"])
    for step, payload in (("analyze", PRD), ("plan", PLAN)):
        assert complete(devora, tmp_path, run_id, step, payload).returncode == 3
    assert waiting(devora) == [("design_api", "backend"), ("design_ui", "frontend")]
    assert complete(devora, tmp_path, run_id, "design_api", API).returncode == 3
    ui = complete(devora, tmp_path, run_id, "design_ui", with_uses("GET /coupons"))
    assert ui.returncode == 3, ui.stdout[-3000:] + ui.stderr[-3000:]
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert (task["step_id"], task["squad"]) == ("design", "frontend")
    assert "CartTotal: GET /coupons" in task["prompt"]
    refused = complete(devora, tmp_path, run_id, "design", with_uses("GET /coupons"))
    assert_one_clear_error(
        refused, "components.0.uses.0", "'POST /carts/{id}/discount' was expected"
    )
    assert waiting(devora) == [("design", "frontend")]  # nothing recorded: still asked
    fixed = complete(devora, tmp_path, run_id, "design", with_uses("POST /carts/{id}/discount"))
    assert fixed.returncode == 3, fixed.stdout[-3000:] + fixed.stderr[-3000:]
    assert waiting(devora) == [("approve_design", "business")]
    design_md = (devora.home / "artifacts" / run_id / "design.md").read_text()
    assert "- `POST /carts/{id}/discount`: apply" in design_md
    assert (
        "| **CartTotal** (shows the discount) | /cart | prices: number[] | discount: number "
        "| `POST /carts/{id}/discount` |" in design_md
    )
