"""What a webhook request can get wrong: its signature (401) or its body (400)."""

from __future__ import annotations

from devora.errors import UsageError

__all__ = ["WebhookError", "WebhookPayloadError", "WebhookSignatureError"]


class WebhookError(UsageError):
    """A webhook request that starts nothing; `status` is its HTTP answer."""

    code = "webhook"
    status = 400


class WebhookSignatureError(WebhookError):
    """The request is not signed with the configured secret (or none is configured)."""

    code = "bad_signature"
    status = 401

    def __init__(self, source: str, problem: str, hint: str) -> None:
        self.source = source
        super().__init__(f"{source} webhook refused: {problem}", hint=hint)


class WebhookPayloadError(WebhookError):
    """The body is not the JSON this sender sends."""

    code = "bad_payload"
    status = 400

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        super().__init__(
            f"{source} webhook: malformed body: {problem}",
            hint="docs/serve.md (Webhooks) shows the payloads each sender posts",
        )
