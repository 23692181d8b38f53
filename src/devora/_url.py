"""URLs split into their parts exactly as SQLAlchemy splits a database URL, without it.

Importing SQLAlchemy costs a fifth of a second; every command masks URL passwords, and
only commands that talk to PostgreSQL need SQLAlchemy. What counts as the password must
be what the database driver will be given, so the rule is SQLAlchemy's: the password
runs from the first `:` of the user part to the first `@`, percent-decoded. A test
compares this with `sqlalchemy.engine.make_url` on generated URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

__all__ = ["SplitURL", "split_url"]

_URL = re.compile(
    r"""
    (?P<scheme>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class SplitURL:
    """A URL's parts; `username` and `password` percent-decoded."""

    scheme: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: str | None

    def render(self, *, hide_password: bool = True) -> str:
        """The URL as text, its password as *** (the way SQLAlchemy renders one)."""
        text = self.scheme + "://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(self.password, safe=" +"))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        if self.query:
            text += "?" + self.query
        return text


@lru_cache(maxsize=256)
def split_url(text: str) -> SplitURL | None:
    """The parts of `scheme://user:password@host:port/database?query`, or None."""
    match = _URL.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    port: int | None = None
    if parts["port"] is not None:
        try:  # as SQLAlchemy: int() of what follows the colon, even when that is nothing
            port = int(parts["port"])
        except ValueError:
            return None
    return SplitURL(
        scheme=parts["scheme"],
        username=None if parts["username"] is None else unquote(parts["username"]),
        password=None if parts["password"] is None else unquote(parts["password"]),
        host=parts["ipv6host"] or parts["ipv4host"],
        port=port,
        database=None if parts["database"] is None else unquote(parts["database"]),
        query=parts["query"],
    )
