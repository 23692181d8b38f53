"""Scripted enrichments for the saas-mvp tests: one that passes every check (an endpoint and
its test), one that breaks the project's tests. Written against the project the spec
generates, which is the same bytes every time."""

from __future__ import annotations

import tempfile
from pathlib import Path

from devora.workflows.saas_mvp._generate import generate_project
from devora.workflows.saas_mvp._load import load_spec
from tests.llm.scripted_server import Reply, ScriptedServer, openai_reply

ABOUT_ENDPOINT = '''

@router.get("/api/about")
def about() -> dict[str, str]:
    """The product's name and version."""
    return {{"product": "{product}", "version": __version__}}
'''
ABOUT_TEST = """from __future__ import annotations

from fastapi.testclient import TestClient

from {package} import __version__


def test_about_names_the_product(client: TestClient) -> None:
    response = client.get("/api/about")
    assert response.status_code == 200
    assert response.json() == {{"product": "{product}", "version": __version__}}
"""
BROKEN_TEST = "def test_broken_by_the_enrichment() -> None:\n    assert 1 + 1 == 3\n"


def _writes(call: str, path: str, content: str) -> Reply:
    return openai_reply(tool_calls=[(call, "write_file", {"path": path, "content": content})])


def about_endpoint(spec: Path) -> tuple[list[Reply], str]:
    """The agent adds GET /api/about and its test; the replies, and the product's name."""
    with tempfile.TemporaryDirectory() as scratch:
        project = generate_project(load_spec(spec), Path(scratch) / "project")
        health = f"src/{project.package}/health.py"
        original = (project.path / health).read_text()
    product = load_spec(spec).name
    first_import = f"from {project.package}.db import DB"
    changed = original.replace(
        first_import, f"from {project.package} import __version__\n{first_import}"
    ) + ABOUT_ENDPOINT.format(product=product)
    replies = [
        _writes("e1", health, changed),
        _writes("e2", "tests/test_about.py", ABOUT_TEST.format(package=project.package,
                                                              product=product)),
        openai_reply("GET /api/about names the product and its version; tested."),
    ]  # fmt: skip
    return replies, product


def broken_test() -> list[Reply]:
    """The agent adds a test that fails."""
    return [
        _writes("b1", "tests/test_enriched.py", BROKEN_TEST),
        openai_reply("Added a test."),
    ]


def model_env(server: ScriptedServer) -> dict[str, str]:
    """A run whose agents' model is the scripted server."""
    return {
        "DEVORA_MODEL": "openai:gpt-4o-mini",
        "DEVORA_LLM_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0123456789abcdef",
    }
