"""With a model configured, the optimize step adds the frontend squad's LLM advice."""

from __future__ import annotations

import json

from audits import run_audit

from tests.cli.harness import Devora
from tests.llm.scripted_server import openai_reply, scripted_server
from tests.workflows.performance.perf_webapp import WebApp

KEY = "sk-test-perf-advice-0123456789"


def test_a_configured_model_adds_advice_to_the_ranked_list(devora: Devora, webapp: WebApp) -> None:
    webapp.delay = 0.02
    answer = {"suggestions": ["Cache the /slow handler's result for 30 s", "Add an index"]}
    with scripted_server([openai_reply(json.dumps(answer))]) as server:
        (devora.home.parent / "devora.toml").write_text(
            '[performance.assertions]\n"latency:/slow:p95" = { maxNumericValue = 1 }\n'
        )
        audit = run_audit(
            devora,
            webapp.url,
            "--no-lighthouse",
            "--endpoints", "/slow",
            "--requests", "4",
            "--verify-runs", "1",
            DEVORA_MODEL="openai:gpt-4o-mini",
            DEVORA_LLM_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY=KEY,
        )  # fmt: skip
        asked = server.received
    assert audit.status == "succeeded", audit.error
    assert len(asked) == 1
    prompt = json.dumps(asked[0].body)
    assert "Speed up /slow" in prompt and "latency:/slow:p95" in prompt
    markdown = audit.read("performance-audit.md")
    assert "- Cache the /slow handler's result for 30 s" in markdown
    assert "advice from the frontend squad's LLM agent" in markdown
    assert KEY not in markdown
