"""Both providers, against the scripted server: the conformance suite every provider passes."""

from __future__ import annotations

import socket
import time

import pytest

from devora.llm import (
    MASK,
    Budget,
    BudgetExceeded,
    Message,
    Price,
    PriceMissingError,
    ProviderError,
    ProviderOptions,
    ProviderTimeoutError,
    Redactor,
    RetryNotice,
    RetryPolicy,
    ToolCall,
    ToolSpec,
    Usage,
)

from .harness import APIS, FAST_RETRIES, TEST_KEY, provider_for, reply
from .scripted_server import ANTHROPIC_PATH, OPENAI_PATH, Reply, error_reply, scripted_server

pytestmark = pytest.mark.parametrize("api", APIS)

READ_FILE = ToolSpec(
    name="read_file",
    description="Read a file",
    parameters={"type": "object", "properties": {"path": {"type": "string"}}},
)


async def test_plain_answer_with_usage(api: str) -> None:
    with scripted_server([reply(api, "hello there", tokens=(12, 3))]) as server:
        async with provider_for(server, api) as provider:
            completion = await provider.complete([Message.system("be brief"), Message.user("hi")])
    assert completion.text == "hello there"
    assert (completion.input_tokens, completion.output_tokens) == (12, 3)
    assert provider.usage.calls == 1 and provider.usage.total_tokens == 15
    sent = server.received[0]
    assert sent.path == (OPENAI_PATH if api == "openai" else ANTHROPIC_PATH)
    assert TEST_KEY in sent.headers.get("authorization", sent.headers.get("x-api-key", ""))
    # OpenAI's own API wants max_completion_tokens; Anthropic (and the compatibles) max_tokens.
    limit = "max_completion_tokens" if api == "openai" else "max_tokens"
    assert sent.body[limit] == 4096
    if api == "anthropic":
        assert sent.body["system"] == "be brief"
        assert sent.body["messages"] == [
            {"role": "user", "content": [{"type": "text", "text": "hi"}]}
        ]
    else:
        assert sent.body["messages"][0] == {"role": "system", "content": "be brief"}


async def test_tool_calls_round_trip(api: str) -> None:
    script = [
        reply(api, tool_calls=[("call_1", "read_file", {"path": "a.py"})]),
        reply(api, "done"),
    ]
    with scripted_server(script) as server:
        async with provider_for(server, api) as provider:
            first = await provider.complete([Message.user("read a.py")], tools=[READ_FILE])
            assert first.tool_calls == (
                ToolCall(id="call_1", name="read_file", arguments={"path": "a.py"}),
            )
            conversation = [
                Message.user("read a.py"),
                first.as_message(),
                Message.tool("call_1", "print('a')"),
            ]
            second = await provider.complete(conversation, tools=[READ_FILE])
    assert second.text == "done" and not second.tool_calls
    tools_sent = server.received[0].body["tools"]
    sent_back = server.received[1].body["messages"]
    if api == "openai":
        assert tools_sent[0]["function"]["name"] == "read_file"
        assert sent_back[1]["tool_calls"][0]["function"]["arguments"] == '{"path": "a.py"}'
        assert sent_back[2] == {"role": "tool", "tool_call_id": "call_1", "content": "print('a')"}
    else:
        assert tools_sent[0]["input_schema"] == READ_FILE.parameters
        assert sent_back[1]["content"][0]["type"] == "tool_use"
        assert sent_back[2] == {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "print('a')"}],
        }


async def test_429_with_retry_after_is_honoured_then_succeeds(api: str) -> None:
    notices: list[RetryNotice] = []
    options = ProviderOptions(retry=RetryPolicy(max_attempts=3, jitter=0), on_retry=notices.append)
    script = [error_reply(429, "rate limited", retry_after="1"), reply(api, "finally")]
    with scripted_server(script) as server:
        async with provider_for(server, api, options) as provider:
            completion = await provider.complete([Message.user("hi")])
    assert completion.text == "finally"
    waited = server.received[1].at - server.received[0].at
    assert 1.0 <= waited < 2.5
    assert len(notices) == 1
    assert (notices[0].status, notices[0].delay, notices[0].from_retry_after) == (429, 1.0, True)


async def test_5xx_is_retried_with_backoff(api: str) -> None:
    notices: list[RetryNotice] = []
    options = ProviderOptions(retry=FAST_RETRIES, on_retry=notices.append)
    script = [error_reply(500, "oops"), error_reply(503, "busy"), reply(api, "ok")]
    with scripted_server(script) as server:
        async with provider_for(server, api, options) as provider:
            assert (await provider.complete([Message.user("hi")])).text == "ok"
    assert [n.status for n in notices] == [500, 503]
    assert [n.delay for n in notices] == [0.05, 0.1]


async def test_persistent_5xx_fails_with_the_last_error(api: str) -> None:
    options = ProviderOptions(retry=FAST_RETRIES)
    with scripted_server([error_reply(502, f"bad gateway {n}") for n in range(3)]) as server:
        async with provider_for(server, api, options) as provider:
            with pytest.raises(ProviderError) as caught:
                await provider.complete([Message.user("hi")])
    assert caught.value.status == 502
    assert "bad gateway 2" in caught.value.message
    assert server.remaining == 0


async def test_auth_error_is_not_retried(api: str) -> None:
    with scripted_server([error_reply(401, "invalid key"), reply(api, "never")]) as server:
        async with provider_for(server, api, ProviderOptions(retry=FAST_RETRIES)) as provider:
            with pytest.raises(ProviderError, match="HTTP 401: invalid key") as caught:
                await provider.complete([Message.user("hi")])
    assert caught.value.hint is not None and "API key" in caught.value.hint
    assert len(server.received) == 1


async def test_timeout_is_retried_then_fails_clearly(api: str) -> None:
    options = ProviderOptions(
        request_timeout=0.3, retry=RetryPolicy(max_attempts=2, base_delay=0.05, jitter=0)
    )
    slow = Reply(body={}, delay=1.5)
    with scripted_server([slow, slow]) as server:
        async with provider_for(server, api, options) as provider:
            started = time.monotonic()
            with pytest.raises(ProviderTimeoutError, match=r"timeout of 0\.3s"):
                await provider.complete([Message.user("hi")])
            elapsed = time.monotonic() - started
    assert len(server.received) == 2
    assert elapsed < 1.5  # we gave up on each request; we did not wait for the slow server


async def test_timeout_then_success(api: str) -> None:
    options = ProviderOptions(request_timeout=0.3, retry=FAST_RETRIES)
    with scripted_server([Reply(body={}, delay=1.0), reply(api, "fast now")]) as server:
        async with provider_for(server, api, options) as provider:
            assert (await provider.complete([Message.user("hi")])).text == "fast now"


async def test_unreachable_server_fails_fast_and_says_where(api: str) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = provider_for(
        _Url(f"http://127.0.0.1:{port}"), api, ProviderOptions(retry=FAST_RETRIES)
    )
    async with provider:
        with pytest.raises(ProviderError, match="cannot reach") as caught:
            await provider.complete([Message.user("hi")])
    assert caught.value.hint is not None and "running" in caught.value.hint


class _Url:
    """Stands in for a server that is not there."""

    def __init__(self, url: str) -> None:
        self.url = url


async def test_budget_overrun_after_a_call_and_refusal_before_the_next(api: str) -> None:
    usage = Usage()
    options = ProviderOptions(usage=usage, budget=Budget(max_tokens=100))
    script = [reply(api, "one", tokens=(40, 20)), reply(api, "two", tokens=(40, 20))]
    with scripted_server([*script, reply(api, "three")]) as server:
        async with provider_for(server, api, options) as provider:
            await provider.complete([Message.user("1")])
            with pytest.raises(BudgetExceeded, match="token budget exceeded: used 120 of 100"):
                await provider.complete([Message.user("2")])
            with pytest.raises(BudgetExceeded):
                await provider.complete([Message.user("3")])
    assert len(server.received) == 2  # the third call was refused before it was sent
    assert usage.total_tokens == 120 and usage.calls == 2


async def test_cost_is_counted_from_the_price_table_and_capped(api: str) -> None:
    usage = Usage()
    prices = {
        "gpt-4o-mini": Price(0.15, 0.60),
        "anthropic:claude-3-5-haiku-latest": Price(0.80, 4.00),
    }
    options = ProviderOptions(usage=usage, prices=prices, budget=Budget(max_cost=0.5))
    big = (2_000_000, 0) if api == "openai" else (500_000, 0)
    with scripted_server([reply(api, "a", tokens=big), reply(api, "b", tokens=big)]) as server:
        async with provider_for(server, api, options) as provider:
            await provider.complete([Message.user("1")])
            expected = 0.30 if api == "openai" else 0.40
            assert usage.cost == pytest.approx(expected)
            with pytest.raises(
                BudgetExceeded, match=r"cost budget exceeded: used \$0\.\d+ of \$0\.5"
            ):
                await provider.complete([Message.user("2")])


async def test_cost_budget_without_a_price_is_refused_up_front(api: str) -> None:
    with scripted_server([]) as server, pytest.raises(PriceMissingError, match="no price"):
        provider_for(server, api, ProviderOptions(budget=Budget(max_cost=1.0)))


async def test_transcript_logs_each_turn_once_with_secrets_redacted(api: str) -> None:
    lines: list[str] = []
    options = ProviderOptions(
        on_log=lines.append,
        redactor=Redactor(["DB_PASSWORD"], env={"DB_PASSWORD": "s3cret-pass"}),
    )
    script = [
        reply(api, "use Bearer abc.def.ghi and\nsecond line"),
        reply(api, "ok"),
    ]
    conversation = [Message.user(f"password s3cret-pass, key {TEST_KEY}")]
    with scripted_server(script) as server:
        async with provider_for(server, api, options) as provider:
            first = await provider.complete(conversation)
            conversation += [first.as_message(), Message.user("thanks")]
            await provider.complete(conversation)
    text = "\n".join(lines)
    assert "s3cret-pass" not in text and TEST_KEY not in text and "abc.def" not in text
    assert lines[0] == f"prompt user: password {MASK}, key {MASK}"
    assert lines[1] == f"response assistant: use {MASK} and"
    assert lines[2] == "  second line"
    assert lines[3].startswith("usage ") and "input=10 output=5" in lines[3]
    assert lines[4] == "prompt user: thanks"  # earlier turns are not logged again
    assert sum(line.startswith("prompt user: password") for line in lines) == 1


async def test_a_request_the_api_would_refuse_is_a_clear_error(api: str) -> None:
    # The scripted server enforces the protocol's rules, as the real APIs do.
    conversation = [Message.user("hi"), Message.tool("call_unknown", "stray result")]
    with scripted_server([reply(api, "unused")]) as server:
        async with provider_for(server, api) as provider:
            with pytest.raises(ProviderError, match="HTTP 400: scripted server: tool") as caught:
                await provider.complete(conversation)
            await provider.aclose()  # closing twice is harmless
    assert not caught.value.retryable
