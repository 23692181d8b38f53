"""A local HTTP server that speaks the OpenAI and Anthropic protocols and replays a script.

Tests start it on 127.0.0.1 with a random port, give it the answers to replay in order, and
read back what the client sent (path, headers, JSON body, arrival time).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, JSON body, headers, and how long to stall first."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    """One request the server got."""

    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() on arrival


class ScriptedServer:
    """Replays `replies` in order, one per request; fails loudly when the script runs out."""

    def __init__(self, replies: Sequence[Reply]) -> None:
        self._replies = list(replies)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """The server's root URL (Anthropic's base_url; add /v1 for OpenAI's)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def remaining(self) -> int:
        """Scripted replies not served yet."""
        with self._lock:
            return len(self._replies)

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.received.append(received)
            if not self._replies:
                return Reply(418, {"error": {"message": "scripted server: no more replies"}})
            return self._replies.pop(0)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                body = json.loads(raw) if raw else None
                received = Received(
                    path=self.path.split("?")[0],
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    at=time.monotonic(),
                )
                reply = server._next(received)
                problem = protocol_problem(received)
                if problem is not None:
                    reply = Reply(400, {"error": {"message": f"scripted server: {problem}"}})
                if reply.delay:
                    time.sleep(reply.delay)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def protocol_problem(request: Received) -> str | None:
    """Why a request breaks its API's rules (the ones real servers enforce), or None."""
    body = request.body
    if request.path not in (OPENAI_PATH, ANTHROPIC_PATH):
        return f"no route {request.path}"
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return "the body must be an object with a model"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    if request.path == OPENAI_PATH:
        return _openai_problem(messages)
    if "anthropic-version" not in request.headers:
        return "the anthropic-version header is missing"
    if not isinstance(body.get("max_tokens"), int):
        return "max_tokens is required"
    return _anthropic_problem(messages)


def _openai_problem(messages: list[Any]) -> str | None:
    open_calls: set[str] = set()
    for message in messages:
        role = message.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            return f"unknown role {role!r}"
        if role == "assistant":
            open_calls |= {call["id"] for call in message.get("tool_calls") or ()}
        if role == "tool":
            if message.get("tool_call_id") not in open_calls:
                return f"tool message answers no call: {message.get('tool_call_id')!r}"
            open_calls.discard(message["tool_call_id"])
    return None


def _anthropic_problem(messages: list[Any]) -> str | None:
    expected = "user"
    open_calls: set[str] = set()
    for message in messages:
        role, content = message.get("role"), message.get("content")
        if role != expected:
            return f"roles must alternate user/assistant starting with user; got {role!r}"
        expected = "assistant" if role == "user" else "user"
        if not content:
            return "content must not be empty"
        for block in content if isinstance(content, list) else ():
            if block.get("type") == "text" and not block.get("text"):
                return "text blocks must not be empty"
            if block.get("type") == "tool_use":
                open_calls.add(block["id"])
            if block.get("type") == "tool_result":
                if block.get("tool_use_id") not in open_calls:
                    return f"tool_result answers no tool_use: {block.get('tool_use_id')!r}"
                open_calls.discard(block["tool_use_id"])
    return None


@contextmanager
def scripted_server(replies: Sequence[Reply]) -> Iterator[ScriptedServer]:
    """Run a ScriptedServer for the duration of the block."""
    server = ScriptedServer(replies).start()
    try:
        yield server
    finally:
        server.stop()


def openai_reply(
    text: str | None = None,
    *,
    tool_calls: Sequence[tuple[str, str, dict[str, Any] | str]] = (),
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
    model: str = "scripted-model",
) -> Reply:
    """A chat-completions answer: text, and/or tool calls as (id, name, arguments)."""
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
            for call_id, name, args in tool_calls
        ]
    return Reply(
        body={
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool_calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def anthropic_reply(
    text: str | None = None,
    *,
    tool_calls: Sequence[tuple[str, str, dict[str, Any]]] = (),
    input_tokens: int = 10,
    output_tokens: int = 5,
    model: str = "scripted-claude",
) -> Reply:
    """A messages-API answer: a text block and/or tool_use blocks as (id, name, input)."""
    content: list[dict[str, Any]] = []
    if text is not None:
        content.append({"type": "text", "text": text})
    content.extend(
        {"type": "tool_use", "id": call_id, "name": name, "input": args}
        for call_id, name, args in tool_calls
    )
    return Reply(
        body={
            "id": "msg_scripted",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": "tool_use" if tool_calls else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }
    )


def error_reply(status: int, message: str, **headers: str) -> Reply:
    """An error answer in the shape both APIs use; header names take `_` for `-`."""
    return Reply(
        status=status,
        body={"type": "error", "error": {"type": "scripted", "message": message}},
        headers={name.replace("_", "-"): value for name, value in headers.items()},
    )
