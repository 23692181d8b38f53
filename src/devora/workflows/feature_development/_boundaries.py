"""What a design is checked against: the HTTP routes the project already serves (FastAPI,
Flask, Django, Express, found in the files of the repository map), whether it has a front
end and keeps its schema in migrations (Alembic, Django), and an OpenAPI fragment checked as
OpenAPI 3."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devora.tools.repomap import MAX_FILE_BYTES, source_files

__all__ = [
    "Route",
    "alembic_ini",
    "find_routes",
    "front_end",
    "migration_tool",
    "openapi_path",
    "openapi_problems",
    "operation_key",
]

_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
# @app.get("/x"), @router.post('/x'), @bp.route("/x", methods=["POST"]): FastAPI, Flask.
_DECORATOR = re.compile(
    r"^\s*@\w+(?:\.\w+)*\.(get|post|put|patch|delete|route|api_route)\(\s*[rf]?['\"]([^'\"]*)['\"]"
    r"(?:.*?methods\s*=\s*\[([^\]]*)\])?",
    re.MULTILINE,
)
# Django: path("items/<int:pk>/", view), re_path(r"^items/$", view).
_DJANGO = re.compile(r"\b(?:re_)?path\(\s*r?['\"]([^'\"]*)['\"]\s*,")
# Express: app.get('/x', ...), router.post("/x", ...).
_EXPRESS = re.compile(
    r"\b(?:app|router|server)\.(get|post|put|patch|delete)\(\s*['\"`](/[^'\"`]*)['\"`]"
)
_STATUS = re.compile(r"^(default|[1-5](?:\d\d|XX))$")
_TEMPLATE = re.compile(r"\{([^}/]+)\}")
# Express `:id`, Django/Flask `<int:pk>` and `<pk>`: written `{id}`, `{pk}` as in OpenAPI.
_ROUTE_PARAMETER = re.compile(r":(\w+)|<(?:[^:>]+:)?(\w+)>")
_UI_PACKAGES = ("react", "vue", "svelte", "@angular/core", "next", "nuxt", "preact",
                "solid-js", "lit")  # fmt: skip
_UI_SUFFIXES = (".jsx", ".tsx", ".vue", ".svelte")
_NOT_SOURCES = {"node_modules", ".venv", "venv", ".git", "dist", "build", "__pycache__"}


@dataclass(frozen=True)
class Route:
    """One route the project serves: method, path, and where it is declared."""

    method: str
    path: str
    file: str
    line: int

    def describe(self) -> str:
        """`GET /items (app/main.py:12)`."""
        return f"{self.method} {self.path} ({self.file}:{self.line})"


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ""
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_routes(root: Path) -> list[Route]:
    """The routes declared in the project's Python and JavaScript/TypeScript sources."""
    routes: list[Route] = []
    for name in source_files(root):
        text = _read(root / name)
        if name.endswith(".py"):
            for found in _DECORATOR.finditer(text):
                verb, path, listed = found.group(1), found.group(2), found.group(3)
                methods = (
                    [m.strip(" '\"").upper() for m in listed.split(",") if m.strip(" '\"")]
                    if listed
                    else ["GET" if verb in ("route", "api_route") else verb.upper()]
                )
                line = _line(text, found.start(2))
                routes += [Route(m, path, name, line) for m in methods]
            if "urlpatterns" in text:
                for found in _DJANGO.finditer(text):
                    path = "/" + found.group(1).lstrip("^/").rstrip("$")
                    routes.append(Route("ANY", path, name, _line(text, found.start(1))))
        else:
            for found in _EXPRESS.finditer(text):
                line = _line(text, found.start(2))
                routes.append(Route(found.group(1).upper(), found.group(2), name, line))
    return routes


def openapi_path(path: str) -> str:
    """A route's path with its parameters written as OpenAPI's `{name}`."""
    return _ROUTE_PARAMETER.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", path)


def operation_key(method: str, path: str) -> str:
    """What two spellings of one operation share: `GET /items/{}` for `GET /items/{id}/`."""
    shape = re.sub(r"\{[^}]*\}", "{}", openapi_path(path)).rstrip("/") or "/"
    return f"{method.upper()} {shape}"


def front_end(root: Path) -> str | None:
    """What shows the project has a front end (a UI package, component files, HTML
    templates), or None when nothing does."""
    package = root / "package.json"
    if package.is_file():
        try:
            data = json.loads(package.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = {}
        listed = {**data.get("dependencies", {}), **data.get("devDependencies", {})} if (
            isinstance(data, dict)) else {}  # fmt: skip
        for name in _UI_PACKAGES:
            if name in listed:
                return f"package.json depends on {name}"
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_SOURCES and not d.startswith("."))
        where = Path(folder).relative_to(root)
        for name in sorted(files):
            if name.endswith(_UI_SUFFIXES):
                return f"UI component files ({(where / name).as_posix()})"
            if name.endswith(".html") and "templates" in where.parts:
                return f"HTML templates ({(where / name).as_posix()})"
    return None


def alembic_ini(root: Path) -> Path | None:
    """The project's alembic.ini (at its root, or in migrations/ as Flask-Migrate keeps it)."""
    for ini in (root / "alembic.ini", root / "migrations" / "alembic.ini"):
        if ini.is_file():
            return ini
    return None


def migration_tool(root: Path) -> str | None:
    """`alembic` or `django` when the project keeps its schema in migrations, else None."""
    if alembic_ini(root) is not None or (root / "migrations" / "env.py").is_file():
        return "alembic"
    if (root / "manage.py").is_file() and any(root.glob("*/migrations/0*.py")):
        return "django"
    return None


def openapi_problems(paths: Any) -> list[str]:
    """What keeps `paths` from being an OpenAPI 3 Paths Object ([] when it is one): paths
    start with '/', operations are HTTP methods with `responses` keyed by status codes, and
    every `{parameter}` of a path is declared `in: path`, `required: true`."""
    if not isinstance(paths, dict) or not paths:
        return ["paths: an object of at least one path is expected"]
    problems: list[str] = []
    for path, item in paths.items():
        if not isinstance(path, str) or not path.startswith("/"):
            problems.append(f"{path!r}: a path starts with '/'")
            continue
        if not isinstance(item, dict):
            problems.append(f"{path}: a Path Item Object is expected")
            continue
        shared = item.get("parameters", [])
        for key, operation in item.items():
            if key in ("parameters", "summary", "description", "servers") or key.startswith("x-"):
                continue
            where = f"{key} {path}"
            if key not in _METHODS:
                problems.append(f"{where}: {key!r} is not an HTTP method")
            elif not isinstance(operation, dict):
                problems.append(f"{where}: an Operation Object is expected")
            else:
                problems += _operation_problems(where, path, operation, shared)
    return problems


def _operation_problems(where: str, path: str, operation: dict[str, Any], shared: Any) -> list[str]:
    problems: list[str] = []
    responses = operation.get("responses")
    if not isinstance(responses, dict) or not responses:
        problems.append(f"{where}: responses (at least one status code) are required")
    else:
        bad = [str(code) for code in responses if not _STATUS.match(str(code))]
        if bad:
            problems.append(f"{where}: {', '.join(bad)} is not a status code")
    declared = set()
    for parameter in [*(shared or []), *operation.get("parameters", [])]:
        if not isinstance(parameter, dict) or "$ref" in parameter:
            continue
        if "name" not in parameter or "in" not in parameter:
            problems.append(f"{where}: a parameter needs a name and `in`")
        elif parameter["in"] == "path":
            if parameter.get("required") is not True:
                problems.append(f"{where}: path parameter {parameter['name']} must be required")
            declared.add(parameter["name"])
    missing = [name for name in _TEMPLATE.findall(path) if name not in declared]
    if missing:
        problems.append(f"{where}: path parameter(s) {', '.join(missing)} not declared")
    return problems
