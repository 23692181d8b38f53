"""The API's bearer token: from DEVORA_API_TOKEN, or a 0600 file in Devora's home.

The token's owner is the OS account running the server (who could read the token
file); approvals given with the token are that person's, mapped through the
``[approvers]`` table recorded with the run, as the CLI maps its own user.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devora.errors import DevoraError, UsageError
from devora.private_files import make_private_dir, write_private

__all__ = ["TOKEN_FILE", "ApiToken", "NotAuthenticatedError", "load_api_token"]

TOKEN_FILE = "api-token"
TOKEN_VARIABLE = "DEVORA_API_TOKEN"
_MIN_LENGTH = 16


class NotAuthenticatedError(DevoraError):
    """A request without the API's bearer token, or with a wrong one."""

    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__(
            "the API token is missing or wrong",
            hint="send it in the Authorization header, scheme Bearer; the token is in "
            f"DEVORA_API_TOKEN or the file {TOKEN_FILE} in Devora's home (DEVORA_HOME, .devora)",
        )


class WeakTokenError(UsageError):
    """DEVORA_API_TOKEN is too short to be a secret."""

    code = "weak_token"

    def __init__(self) -> None:
        super().__init__(
            f"{TOKEN_VARIABLE} is shorter than {_MIN_LENGTH} characters",
            hint="unset it (a token is then created in Devora's home) or use a longer one, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"',
        )


@dataclass(frozen=True, slots=True)
class ApiToken:
    """The token every request but /health must carry, and whose it is."""

    secret: str
    owner: str  # an OS account
    source: str  # "DEVORA_API_TOKEN" or the file's path

    def matches(self, presented: str | None) -> bool:
        """True when `presented` is the token (compared in constant time)."""
        if not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.secret.encode("utf-8"))


def load_api_token(home: Path, owner: str, env: Mapping[str, str] | None = None) -> ApiToken:
    """The token from the environment, else from home/api-token (created 0600 on first start)."""
    environ = os.environ if env is None else env
    from_env = environ.get(TOKEN_VARIABLE, "").strip()
    if from_env:
        if len(from_env) < _MIN_LENGTH:
            raise WeakTokenError()
        return ApiToken(from_env, owner, TOKEN_VARIABLE)
    path = make_private_dir(home) / TOKEN_FILE
    if path.exists():
        # Anyone who could read a loose file could act as its owner: keep it private.
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        text = path.read_text(encoding="utf-8").strip()
        if len(text) >= _MIN_LENGTH:
            return ApiToken(text, owner, str(path))
    token = secrets.token_urlsafe(32)
    write_private(path, token + "\n")
    return ApiToken(token, owner, str(path))
