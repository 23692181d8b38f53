"""Masking secrets in anything written to logs: known secret values and common key shapes."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

__all__ = ["MASK", "Redactor", "redact"]

MASK = "[REDACTED]"

_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),  # OpenAI, Anthropic (sk-ant-...), OpenRouter (sk-or-)
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/\-]+=*"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub tokens
    re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"),  # Slack tokens
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"(?i)\bBasic\s+[A-Za-z0-9+/]{8,}=*"),
)

# `api_key = "..."`, `"password": "..."`, `TOKEN=...`: keep the name, mask the value.
_ASSIGNMENT = re.compile(
    r"""(?ix)
    (\b[\w-]*(?:api[_-]?key|secret|password|passwd|token(?!s))[\w-]*["']?\s*[:=]\s*["']?)
    (?!\d+\b)([^\s"',;]{4,})  # a count of tokens is not a secret
    """
)

# Values this short would mask ordinary words; a real secret is longer.
_MIN_SECRET_LENGTH = 4


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask the given secret values and common key patterns in `text`."""
    for secret in sorted(
        {s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
    ):
        text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return _ASSIGNMENT.sub(lambda m: m.group(1) + MASK if m.group(2) != MASK else m.group(0), text)


class Redactor:
    """Masks the values of the named secret environment variables and common key patterns."""

    def __init__(
        self,
        secret_variables: Iterable[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        extra_secrets: Iterable[str] = (),
    ) -> None:
        environment = os.environ if env is None else env
        self.secret_variables = tuple(secret_variables)
        values = [environment.get(name, "") for name in self.secret_variables]
        self._secrets = tuple(v for v in (*values, *extra_secrets) if v)

    def with_secrets(self, *secrets: str) -> Redactor:
        """A redactor that also masks these values."""
        clone = Redactor()
        clone.secret_variables = self.secret_variables
        clone._secrets = (*self._secrets, *(s for s in secrets if s))
        return clone

    def __call__(self, text: str) -> str:
        """Mask secrets in `text`."""
        return redact(text, self._secrets)
