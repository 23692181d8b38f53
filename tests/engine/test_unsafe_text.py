"""Any text a step produces is stored on both backends: NUL, lone surrogates, bad UTF-8."""

from __future__ import annotations

from devora.engine import Engine, Step, StepContext, Workflow
from devora.errors import StepError
from devora.store import EventKind, RunStatus, Store
from devora.store._text import REPLACEMENT, safe_text
from tests.engine.conftest import any_store  # noqa: F401 - the parametrized store fixture

# What a tool's output decoded with errors="surrogateescape" looks like, and worse.
UNSAFE = ["nul\x00byte", b"bad utf-8 \xff\xfe".decode("utf-8", "surrogateescape"), "lone \ud800"]
OUTPUT = {"text": "a\x00b\udcff", "fine": "caf\u00e9 \u2713"}


def noisy(ctx: StepContext[object]) -> dict[str, str]:
    for line in UNSAFE:
        ctx.log(line)
    return OUTPUT


def echo(ctx: StepContext[object]) -> str:
    text: str = ctx.result("noisy")["text"]
    return text


def explode(ctx: StepContext[object]) -> None:
    raise StepError("broke on \x00 and \udcff")


def test_safe_text_replaces_only_what_no_database_holds() -> None:
    assert safe_text("plain ascii") == "plain ascii"
    assert safe_text("caf\u00e9 \u2713 \U0001f600") == "caf\u00e9 \u2713 \U0001f600"
    assert safe_text("a\x00b") == f"a{REPLACEMENT}b"
    assert safe_text("\ud800x\udcff") == f"{REPLACEMENT}x{REPLACEMENT}"
    assert safe_text(None) is None


async def test_unsafe_log_lines_and_outputs_are_stored(any_store: Store) -> None:  # noqa: F811
    workflow = Workflow(
        name="unsafe", steps=[Step("noisy", noisy), Step("echo", echo, needs=["noisy"])]
    )
    result = await Engine(any_store).run(workflow)
    assert result.status is RunStatus.SUCCEEDED
    assert any_store.get_run(result.run_id).status is RunStatus.SUCCEEDED
    logs = [e.message for e in any_store.events(result.run_id, kinds=[EventKind.STEP_LOG])]
    assert logs == [
        f"nul{REPLACEMENT}byte",
        f"bad utf-8 {REPLACEMENT}{REPLACEMENT}",
        f"lone {REPLACEMENT}",
    ]
    outputs = {a.step_id: a.output for a in any_store.attempts(result.run_id)}
    assert outputs == {"noisy": OUTPUT, "echo": OUTPUT["text"]}  # JSON keeps them exactly


async def test_an_unsafe_error_message_fails_the_run_instead_of_sticking(
    any_store: Store,  # noqa: F811
) -> None:
    result = await Engine(any_store).run(Workflow(name="boom", steps=[Step("boom", explode)]))
    run = any_store.get_run(result.run_id)
    assert run.status is RunStatus.FAILED and run.error is not None
    assert run.error["message"] == "broke on \x00 and \udcff"
    finished = any_store.events(result.run_id, kinds=[EventKind.STEP_FINISHED])
    assert finished[0].message == f"broke on {REPLACEMENT} and {REPLACEMENT}"
