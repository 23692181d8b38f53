"""Every secret Devora knows, and the one function that masks them in text it stores or shows.

The secrets are the values of environment variables whose names look secret (``*KEY*``,
``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``, ``*PASSWD*``, ``*CREDENTIAL*``), every URL in
the environment that carries a password (the password and the whole URL), and values
registered with `add_secret` (a provider's key, a configured contact URL). Text is also
scrubbed of common key shapes (``sk-…``, ``ghp_…``, ``Bearer …``) and of ``password=…``
assignments. URLs are split by SQLAlchemy's rule (`devora._url`), never matched by a pattern.

Apply `redact` (text) or `redact_value` (JSON-like data) where text leaves Devora's
hands: the store's journal, artifacts and reports, the quality gate's cache, the terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from devora._url import SplitURL, split_url

__all__ = [
    "MASK",
    "Redactor",
    "add_secret",
    "known_secrets",
    "mask_url",
    "redact",
    "redact_artifact",
    "redact_value",
    "url_password",
]

MASK = "[REDACTED]"

_SECRET_NAME = re.compile(r"(?i)KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL")

# Key shapes masked wherever they appear (scoped flags: they join one alternation).
_KEY_SHAPES = (
    r"\bsk-[A-Za-z0-9_\-]{8,}",  # OpenAI, Anthropic (sk-ant-...), OpenRouter (sk-or-)
    r"(?i:\bBearer\s+[A-Za-z0-9._~+/\-]+=*)",
    r"\bgh[pousr]_[A-Za-z0-9]{20,}",  # GitHub tokens
    r"\bxox[abprs]-[A-Za-z0-9\-]{10,}",  # Slack tokens
    r"\bAKIA[0-9A-Z]{16}\b",  # AWS access key ids
    r"(?i:\bBasic\s+[A-Za-z0-9+/]{8,}=*)",
)

_KEY_SHAPE = re.compile("|".join(_KEY_SHAPES))
# Every key shape contains one of these (lower-cased); text without any needs no regex.
_KEY_SHAPE_MARKERS = (
    "sk-",
    "bearer",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "xox",
    "akia",
    "basic",
)
_ASSIGNMENT_WORDS = ("key", "secret", "passw", "token")
_MARKER = re.compile("|".join(re.escape(m) for m in (*_KEY_SHAPE_MARKERS, *_ASSIGNMENT_WORDS)))

# `api_key = "..."`, `"password": "..."`, `TOKEN=...`: keep the name, mask the value.
_ASSIGNMENT = re.compile(
    r"""(?ix)
    (\b[\w-]*(?:api[_-]?key|secret|password|passwd|token(?!s))[\w-]*["']?\s*[:=]\s*["']?)
    (?!\d+\b)([^\s"',;]{4,})  # a count of tokens is not a secret
    """
)

# Values this short would mask ordinary words; a real secret is longer.
_MIN_SECRET_LENGTH = 4
# Settings that merely have a secret-looking name (PIP_NO_KEYRING=true) are no secrets.
_NOT_SECRETS = frozenset({"true", "false", "yes", "no", "none", "null", "on", "off"})

_registered: set[str] = set()
_generation = [0]  # bumped by add_secret: the cached maskers know the registered values


def add_secret(*values: str | None) -> None:
    """Remember values (a configured key, a contact's URL) to mask for the rest of the process."""
    for value in values:
        if value and _worth_masking(value) and value not in _registered:
            _registered.add(value)
            _generation[0] += 1


def url_password(url: object) -> str | None:
    """The password a URL carries (percent-decoded), or None; SQLAlchemy's rule decides.

    `url` is text or a SQLAlchemy URL object.
    """
    parsed = _parse_url(_url_text(url))
    if parsed is None or parsed.password is None:
        return None
    # A password with a raw `@` leaves its tail in the host: it is part of the secret.
    host = parsed.host or ""
    return parsed.password + "@" + host.rpartition("@")[0] if "@" in host else parsed.password


def mask_url(url: object) -> str:
    """The URL as text with its password replaced by ***; an unparsable one says only that."""
    render = getattr(url, "render_as_string", None)
    if render is not None:  # a SQLAlchemy URL renders itself
        return str(render(hide_password=True))
    text = str(url)
    parsed = _parse_url(text)
    if parsed is None:
        return "<unparsable URL>" if "@" in text else text
    if parsed.password is None:
        return text
    host = parsed.host or ""
    if "@" in host:
        parsed = SplitURL(
            parsed.scheme,
            parsed.username,
            parsed.password,
            host.rpartition("@")[2],
            parsed.port,
            parsed.database,
            parsed.query,
        )
    return parsed.render(hide_password=True)


def _url_text(url: object) -> str:
    render = getattr(url, "render_as_string", None)
    return str(render(hide_password=False)) if render is not None else str(url)


def _parse_url(text: str) -> SplitURL | None:
    if "://" not in text:
        return None
    return split_url(text.strip())


def known_secrets(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """Every secret value Devora knows now: secret-named variables, URL passwords, registered."""
    if env is None:
        return _current().secrets
    return _secrets_of(tuple(env.items())) | _registered


class _Masker:
    """Masks one set of secrets; remembers short texts it has seen (event keys, statuses)."""

    __slots__ = ("_memo", "literals", "secrets")
    _MEMO_TEXT = 80
    _MEMO_SIZE = 4096

    def __init__(self, secrets: frozenset[str], literals: tuple[str, ...]) -> None:
        self.secrets = secrets
        self.literals = literals  # longest first: a URL before the password inside it
        self._memo: dict[str, str] = {}

    def mask(self, text: str) -> str:
        if len(text) > self._MEMO_TEXT:
            return self._mask(text)
        masked = self._memo.get(text)
        if masked is None:
            if len(self._memo) >= self._MEMO_SIZE:
                self._memo.clear()
            masked = self._memo[text] = self._mask(text)
        return masked

    def _mask(self, text: str) -> str:
        # Substring tests first (C speed): most text holds no secret and no key shape, and
        # this runs on every event the store writes.
        for secret in self.literals:
            if secret in text:
                text = text.replace(secret, MASK)
        lowered = text.lower()
        if _MARKER.search(lowered) is None:
            return text
        if any(marker in lowered for marker in _KEY_SHAPE_MARKERS):
            text = _KEY_SHAPE.sub(MASK, text)
        if ("=" in text or ":" in text) and any(word in lowered for word in _ASSIGNMENT_WORDS):
            text = _ASSIGNMENT.sub(_mask_assignment, text)
        return text


def _current() -> _Masker:
    # Redaction sits on the store's write path: the process environment is fingerprinted by
    # its raw bytes (no decoding), and the masker is built again only when it changed.
    data = getattr(os.environ, "_data", None)
    key = tuple(data.items()) if isinstance(data, dict) else tuple(os.environ.items())
    return _environment_masker(key, _generation[0])


@lru_cache(maxsize=8)
def _environment_masker(key: tuple[tuple[Any, Any], ...], generation: int) -> _Masker:
    items = tuple((_text(name), _text(value)) for name, value in key)
    return _masker_of(_secrets_of(items) | frozenset(_registered))


def _text(value: str | bytes) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else value


@lru_cache(maxsize=64)
def _masker_of(secrets: frozenset[str]) -> _Masker:
    literals = sorted((s for s in secrets if _worth_masking(s)), key=len, reverse=True)
    return _Masker(secrets, tuple(literals))


@lru_cache(maxsize=8)
def _secrets_of(items: tuple[tuple[str, str], ...]) -> frozenset[str]:
    found: set[str] = set()
    for name, value in items:
        if _SECRET_NAME.search(name) and _worth_masking(value):
            found.add(value)
        password = url_password(value) if "@" in value else None
        if password:
            found.update({value.strip(), password, unquote(password)})
            raw = value.split("://", 1)[1].rpartition("@")[0].partition(":")[2]
            found.update({raw, unquote(raw)})  # as written, before the parser decoded it
    return frozenset(s for s in found if _worth_masking(s))


def _worth_masking(value: str) -> bool:
    text = value.strip()
    return (
        len(text) >= _MIN_SECRET_LENGTH and text.lower() not in _NOT_SECRETS and not text.isdigit()
    )


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """`text` with every known secret (or the given ones) and common key shapes masked."""
    return _masker(secrets).mask(text)


def redact_value(value: Any, secrets: Iterable[str] | None = None) -> Any:
    """JSON-like data with every string in it (keys too) redacted; other values kept."""
    return _redact_tree(value, _masker(secrets))


def _masker(secrets: Iterable[str] | None) -> _Masker:
    return _current() if secrets is None else _masker_of(frozenset(secrets))


def _mask_assignment(match: re.Match[str]) -> str:
    return match.group(1) + MASK if match.group(2) != MASK else match.group(0)


def _redact_tree(value: Any, masker: _Masker) -> Any:
    if isinstance(value, str):
        return masker.mask(value)
    if isinstance(value, dict):
        return {
            (masker.mask(k) if isinstance(k, str) else k): _redact_tree(v, masker)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact_tree(v, masker) for v in value]
    return value


def redact_artifact(content: bytes | str) -> bytes:
    """A file's content with secrets masked when it is text; other bytes are kept as they are."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return content
    else:
        text = content
    return redact(text).encode("utf-8")


class Redactor:
    """Masks the known secrets plus the values of named variables and extra values given."""

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
        return redact(text, {*self._secrets, *known_secrets()})
