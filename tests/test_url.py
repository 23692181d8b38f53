"""`devora._url` splits URLs exactly as SQLAlchemy does (it stands in for it at start-up)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from devora._url import split_url

_PIECE = st.text(alphabet="abc:/@?#%+ =&.[]-_9", max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["postgresql", "postgresql+psycopg", "sqlite", "mysql+pymysql"]),
    user=_PIECE,
    password=_PIECE,
    rest=_PIECE,
)
def test_the_parts_are_sqlalchemys(scheme: str, user: str, password: str, rest: str) -> None:
    text = f"{scheme}://{user}:{password}@{rest}"
    try:
        expected = make_url(text)
    except (ArgumentError, ValueError):
        assert split_url(text) is None
        return
    parsed = split_url(text)
    assert parsed is not None
    assert (parsed.username, parsed.password) == (expected.username, expected.password)
    assert (parsed.host, parsed.port, parsed.database) == (
        expected.host,
        expected.port,
        expected.database,
    )
    if not parsed.query:
        assert parsed.render() == expected.render_as_string(hide_password=True)
