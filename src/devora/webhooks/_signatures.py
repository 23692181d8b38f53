"""Who sent it: GitHub's HMAC-SHA256 signature, or a bearer secret shared with the sender."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from devora.webhooks._errors import WebhookSignatureError

__all__ = ["github_signature", "verify_bearer", "verify_github"]


def github_signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for this body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _no_secret(source: str, variable: str) -> WebhookSignatureError:
    return WebhookSignatureError(
        source,
        "no secret is configured, so no request can be verified",
        hint=f"set ${variable} in the server's environment (docs/serve.md, Webhooks)",
    )


def verify_github(secret: str | None, variable: str, body: bytes, signature: str | None) -> None:
    """Check the body's HMAC-SHA256 against `X-Hub-Signature-256` (constant time)."""
    if secret is None:
        raise _no_secret("github", variable)
    expected = github_signature(secret, body).encode()
    if signature is None or not hmac.compare_digest(expected, signature.strip().encode()):
        raise WebhookSignatureError(
            "github",
            "X-Hub-Signature-256 is missing or does not match the body",
            hint=f"the webhook's secret on GitHub must equal ${variable}",
        )


def verify_bearer(
    source: str, secret: str | None, variable: str, headers: Mapping[str, str]
) -> None:
    """Check `Authorization: Bearer SECRET` (constant time)."""
    if secret is None:
        raise _no_secret(source, variable)
    scheme, _, presented = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        secret.encode(), presented.strip().encode()
    ):
        raise WebhookSignatureError(
            source,
            "the Authorization header does not carry the shared secret",
            hint=f"send `Authorization: Bearer <${variable}>` (docs/serve.md, Webhooks: {source})",
        )
