"""What a design is checked against: the routes a project serves, its migrations, and an
OpenAPI fragment checked as OpenAPI 3 (an invalid one is refused like any invalid answer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from devora.workflows.feature_development import Design
from devora.workflows.feature_development._boundaries import (
    find_routes,
    migration_tool,
    openapi_problems,
)
from tests.workflows.feature_development.conftest import DESIGN

FASTAPI = (
    "from fastapi import FastAPI\napp = FastAPI()\n\n\n"
    '@app.get("/items/{item_id}")\ndef read(item_id: int): ...\n\n\n'
    "@router.post('/items')\ndef create(): ...\n"
)
FLASK = '@bp.route("/login", methods=["GET", "POST"])\ndef login(): ...\n'
DJANGO = 'urlpatterns = [\n    path("orders/<int:pk>/", views.order),\n]\n'
EXPRESS = "const app = express();\napp.delete('/carts/:id', (req, res) => res.end());\n"
FRAGMENT = {
    "/carts/{id}/discount": {
        "post": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "the discounted total"},
                          "4XX": {"description": "a bad discount"}},
        }
    }
}  # fmt: skip


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_routes_of_fastapi_flask_django_and_express(tmp_path: Path) -> None:
    root = write(tmp_path, {"app/main.py": FASTAPI, "app/auth.py": FLASK,
                            "shop/urls.py": DJANGO, "web/server.js": EXPRESS,
                            "node_modules/x/index.js": EXPRESS})  # fmt: skip
    found = [route.describe() for route in find_routes(root)]
    assert found == [
        "GET /login (app/auth.py:1)",
        "POST /login (app/auth.py:1)",
        "GET /items/{item_id} (app/main.py:5)",
        "POST /items (app/main.py:9)",
        "ANY /orders/<int:pk>/ (shop/urls.py:2)",
        "DELETE /carts/:id (web/server.js:2)",
    ]


def test_migrations_of_alembic_and_django(tmp_path: Path) -> None:
    assert migration_tool(write(tmp_path / "a", {"alembic.ini": "[alembic]\n"})) == "alembic"
    django = {"manage.py": "", "shop/migrations/0001_initial.py": ""}
    assert migration_tool(write(tmp_path / "d", django)) == "django"
    assert migration_tool(write(tmp_path / "n", {"src/x.py": ""})) is None


def test_an_openapi_3_fragment_is_accepted() -> None:
    assert openapi_problems(FRAGMENT) == []
    made = Design.model_validate(DESIGN | {"openapi": {"openapi": "3.0.3", "paths": FRAGMENT}})
    assert made.openapi is not None


@pytest.mark.parametrize(
    ("openapi", "problem"),
    [
        ({"carts": {}}, "'carts': a path starts with '/'"),
        ({"/c": {"fetch": {"responses": {"200": {}}}}}, "'fetch' is not an HTTP method"),
        ({"/c": {"get": {}}}, "get /c: responses (at least one status code) are required"),
        ({"/c": {"get": {"responses": {"ok": {}}}}}, "get /c: ok is not a status code"),
        ({"/c/{id}": {"get": {"responses": {"200": {}}}}}, "path parameter(s) id not declared"),
        ({"openapi": "2.0", "paths": FRAGMENT}, "version 2.0 is not OpenAPI 3"),
    ],
)
def test_a_fragment_that_is_not_openapi_3_is_refused(openapi: Any, problem: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Design.model_validate(DESIGN | {"openapi": openapi})
    assert problem in str(refused.value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=20,
)  # fmt: skip


@given(json_values)
def test_any_json_gets_problems_or_none_never_an_exception(value: Any) -> None:
    problems = openapi_problems(value)
    assert all(isinstance(p, str) and p for p in problems)
