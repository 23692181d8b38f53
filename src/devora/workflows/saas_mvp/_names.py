"""The names a product spec may use, and the names the generated code derives from them.

An entity `OrderLine` becomes the class `OrderLine`, the variable and form prefix
`order_line`, the table and URL segment `order_lines`. A field or relation name becomes a
column (a relation `customer` the column `customer_id`), an attribute and a form field.
Each must be a valid identifier that is not a Python keyword, not an SQL reserved word and
not a name the generated code already uses.
"""

from __future__ import annotations

import keyword
import re

__all__ = [
    "ENTITY_NAME",
    "FIELD_NAME",
    "RESERVED_ATTRIBUTES",
    "RESERVED_ENTITIES",
    "SQL_RESERVED",
    "package_name",
    "plural",
    "reserved_reason",
    "snake",
]

ENTITY_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,29}")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")

# Reserved in PostgreSQL, SQLite or SQL:2016 and likely to be typed as a name.
_SQL_RESERVED_WORDS = """
    abort all alter analyse analyze and any array as asc asymmetric authorization begin
    between binary both by case cast check collate collation column commit concurrently
    constraint create cross current_catalog current_date current_role current_schema
    current_time current_timestamp current_user default deferrable delete desc distinct do
    drop else end escape except exists false fetch for foreign freeze from full glob grant
    group having if ilike in index initially inner insert intersect into is isnull join
    lateral leading left like limit localtime localtimestamp match natural not notnull null
    offset on only or order outer overlaps placing pragma primary raise references regexp
    replace returning right rollback select session_user set similar some symmetric table
    tablesample temp temporary then to trailing transaction trigger true union unique
    update user using vacuum values variadic verbose view when where window with
"""
SQL_RESERVED = frozenset(_SQL_RESERVED_WORDS.split())

# Attributes and columns the generated models, schemas and forms define themselves.
_RESERVED_ATTRIBUTES_WORDS = """
    id owner owner_id created_at updated_at metadata registry query session password
    password_hash email role plan token csrf model_config model_fields
    model_computed_fields submit next self cls request response db item items user_id
"""
RESERVED_ATTRIBUTES = frozenset(_RESERVED_ATTRIBUTES_WORDS.split())

# Classes the generated package defines besides the entities.
_RESERVED_ENTITIES_WORDS = """
    Base User AuthSession Session Settings Plan Role Health App Request Response Item Page
    Decimal Any Mapped
"""
RESERVED_ENTITIES = frozenset(_RESERVED_ENTITIES_WORDS.split())


def snake(name: str) -> str:
    """`OrderLine` -> `order_line`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def plural(word: str) -> str:
    """An English plural good enough for table names and URLs: box->boxes, city->cities."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def package_name(product: str) -> str:
    """The importable package of a product: `Team Board!` -> `team_board`."""
    words = re.findall(r"[a-z0-9]+", product.lower())
    name = "_".join(words) or "app"
    if not name[0].isalpha():
        name = "app_" + name
    if keyword.iskeyword(name) or name in _PACKAGE_CLASHES:
        name += "_app"
    return name


_PACKAGE_CLASHES_WORDS = """
    alembic app fastapi jinja2 migrations pydantic pytest sqlalchemy starlette tests typing
    uvicorn test json re os sys
"""
_PACKAGE_CLASHES = frozenset(_PACKAGE_CLASHES_WORDS.split())


# URL segments the generated app serves itself.
_RESERVED_PATHS = frozenset(
    ["api", "auth", "health", "signin", "signout", "signup", "static", "users", "docs"]
)


def reserved_reason(name: str, *, entity: bool) -> str | None:
    """Why `name` cannot be used (a keyword, SQL word, generated name), or None when it can.

    A field or relation name is a column and an attribute; an entity name is a class, a
    variable (its snake case) and a table and URL segment (its plural).
    """
    low = snake(name) if entity else name
    if keyword.iskeyword(low) or keyword.issoftkeyword(low) or low in {"true", "false", "none"}:
        return f"{name!r} is a Python keyword"
    column = plural(low) if entity else low
    if column in SQL_RESERVED:
        return f"{name!r} is an SQL reserved word" + (f" (its table {column!r})" if entity else "")
    if entity and (name in RESERVED_ENTITIES or plural(low) in _RESERVED_PATHS):
        return f"{name!r} is a name of the generated code"
    if not entity and low in RESERVED_ATTRIBUTES:
        return f"{name!r} is used by the generated code"
    return None
