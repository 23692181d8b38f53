"""--idea: the business squad's LLM agent writes the spec (against the scripted server),
re-asked when it does not fit; a person reviews or edits it; without a model, a person
writes it with `devora complete`. Dry-runs: these tests are about the requirements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.harness import Devora, assert_one_clear_error, finished_event
from tests.llm.harness import reply
from tests.llm.scripted_server import ScriptedServer
from tests.workflows.saas_mvp.workflow_harness import saas_env

IDEA = "A tool for dog walkers to track the dogs they walk and each walk."
SPEC: dict[str, Any] = {
    "name": "Walkies",
    "entities": [
        {"name": "Dog", "fields": [{"name": "name", "type": "str"}]},
        {
            "name": "Walk",
            "fields": [{"name": "starts_at", "type": "datetime"}],
            "relations": [{"name": "dog", "entity": "Dog"}],
        },
    ],
}
MISSING_ENTITY = {**SPEC, "entities": [SPEC["entities"][1]]}  # Walk refers to no Dog


def _run(devora: Devora, out: Path, *extra: str, **env: str) -> Any:
    return devora("run", "saas-mvp", "--idea", IDEA, "--out", str(out), "--dry-run", "--json",
                  *extra, timeout=300, **{**saas_env(), **env})  # fmt: skip


def _model(scripted: list[ScriptedServer], *replies: Any) -> tuple[ScriptedServer, dict[str, str]]:
    server = ScriptedServer(list(replies)).start()
    scripted.append(server)
    return server, {
        "DEVORA_MODEL": "openai:gpt-4o-mini",
        "DEVORA_LLM_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0123456789abcdef",
    }


def _plan(result: Any) -> dict[str, Any]:
    finished = finished_event(result)["data"]
    assert finished["status"] == "succeeded", result.stdout[-3000:] + result.stderr[-3000:]
    plan: dict[str, Any] = finished["plans"]["architecture"]
    return plan


def _planned(devora: Devora, run_id: str) -> str:
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["status"] == "succeeded", shown
    summary: str = shown["steps"]["architecture"]["plan"]["summary"]
    return summary


def test_the_agent_writes_the_spec_and_is_reasked_when_it_does_not_fit(
    devora: Devora, tmp_path: Path, scripted: list[ScriptedServer]
) -> None:
    server, env = _model(
        scripted, reply("openai", json.dumps(MISSING_ENTITY)), reply("openai", json.dumps(SPEC))
    )
    out = tmp_path / "walkies"
    result = _run(devora, out, "--no-review-spec", **env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _plan(result)["summary"] == f"generate Walkies (Dog, Walk) into {out}"
    assert len(server.received) == 2
    first = json.dumps(server.received[0].body)
    assert "dog walkers" in first
    again = json.dumps(server.received[1].body)
    assert "Dog" in again and "entities.0.relations.0" in again  # the problem, said back
    run_id = finished_event(result)["run_id"]
    spec = (devora.home / "artifacts" / run_id / "spec.yaml").read_text()
    assert "name: Walkies" in spec
    assert not out.exists()


def test_a_person_reviews_and_edits_the_agents_spec(
    devora: Devora, tmp_path: Path, scripted: list[ScriptedServer]
) -> None:
    _, env = _model(scripted, reply("openai", json.dumps(SPEC)))
    out = tmp_path / "walkies"
    first = _run(devora, out, **env)
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert (task["step_id"], task["squad"], task["kind"]) == ("spec-review", "business", "input")
    assert "name: Walkies" in task["prompt"]

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**SPEC, "entities": [{"name": "Dog", "fields": []}]}))
    refused = devora("complete", run_id, "spec-review", "--output", str(bad), **env)
    assert_one_clear_error(refused, "fields")

    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**SPEC, "name": "Walkies Pro"}))
    done = devora("complete", run_id, "spec-review", "--output", str(edited), timeout=300, **env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert _planned(devora, run_id) == f"generate Walkies Pro (Dog, Walk) into {out}"


def test_without_a_model_a_person_writes_the_spec(devora: Devora, tmp_path: Path) -> None:
    out = tmp_path / "walkies"
    first = _run(devora, out)
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert (task["step_id"], task["squad"]) == ("requirements", "business")
    assert "dog walkers" in task["prompt"] and "DEVORA_MODEL" in task["prompt"]
    assert "entities" in task["output_schema"]["required"]

    answer = tmp_path / "spec.json"
    answer.write_text(json.dumps(SPEC))
    done = devora("complete", run_id, "requirements", "--output", str(answer), timeout=300,
                  **saas_env())  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # A person's spec is not reviewed again.
    assert _planned(devora, run_id) == f"generate Walkies (Dog, Walk) into {out}"
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["spec-review"]["status"] == "skipped"
