"""The app starts in its environment, answers its health check, and does a create/read
round-trip over HTTP for a signed-up, authenticated user (and refuses an anonymous one)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from devora.errors import DevoraError
from devora.tools.webapp import AppStartError
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject
from devora.workflows.saas_mvp._records import Verification, VerificationStatus
from devora.workflows.saas_mvp._samples import CHECK_PASSWORD, check_email, sample_values
from devora.workflows.saas_mvp._served import ServedProject, serve_argv, serve_project
from devora.workflows.saas_mvp._spec import ProductSpec

__all__ = ["verify_http"]

NAME = "app over HTTP"


class RoundTripError(DevoraError):
    """One request of the round-trip did not answer as it should."""


async def verify_http(project: GeneratedProject, python: Path, spec: ProductSpec) -> Verification:
    """Start the app, check its health, sign up, sign in, create a row of each entity (in
    table order, each relation pointing at a row created before) and read each back."""
    argv = tuple(serve_argv(project, python))
    started = time.monotonic()
    done: list[str] = []
    try:
        async with serve_project(project, python) as served:
            done.append(f"GET {project.health_path} -> {served.app.health_status}")
            try:
                details = await _round_trip(served, spec, done)
            except (RoundTripError, httpx.HTTPError, KeyError, ValueError, RuntimeError) as error:
                return _failed(argv, done, str(error), served.app.output_tail(), started)
    except AppStartError as error:
        return _failed(argv, done, error.problem, error.output_tail, started)
    return Verification(
        name=NAME,
        status=VerificationStatus.PASSED,
        command=argv,
        output_tail="\n".join(done),
        seconds=round(time.monotonic() - started, 3),
        details=details,
    )


def _failed(
    argv: tuple[str, ...], done: list[str], reason: str, log: str, started: float
) -> Verification:
    return Verification(
        name=NAME,
        status=VerificationStatus.FAILED,
        command=argv,
        reason=reason,
        output_tail="\n".join([*done, "--- app output (end) ---", log]),
        seconds=round(time.monotonic() - started, 3),
    )


def _expect(response: httpx.Response, done: list[str], *statuses: int) -> httpx.Response:
    request = response.request
    done.append(f"{request.method} {request.url.path} -> {response.status_code}")
    ok = response.status_code in statuses if statuses else response.is_success
    if not ok:
        wanted = " or ".join(map(str, statuses)) if statuses else "2xx"
        raise RoundTripError(
            f"{request.method} {request.url.path} answered {response.status_code}, not {wanted}: "
            f"{response.text[:300]}"
        )
    return response


async def _round_trip(served: ServedProject, spec: ProductSpec, done: list[str]) -> dict[str, Any]:
    project = served.project
    email = check_email("http")
    first = project.entities[0]
    async with httpx.AsyncClient(base_url=served.app.url, timeout=15.0) as client:
        _expect(await client.get(first.api_path), done, 401, 403)
        credentials = {"email": email, "password": CHECK_PASSWORD}
        _expect(await client.post(project.api_signup_path, json=credentials), done)
        done.append(f"make-admin {email}: {await served.make_admin(email)}")
        form = {"username": email, "password": CHECK_PASSWORD}
        token = _expect(await client.post(project.api_token_path, data=form), done).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        created: dict[str, int] = {}
        for entity in project.entities:
            created[entity.name] = await _create_and_read(
                client, headers, entity, spec, created, done
            )
    return {"created": created, "requests": len(done)}


async def _create_and_read(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    entity: GeneratedEntity,
    spec: ProductSpec,
    created: dict[str, int],
    done: list[str],
) -> int:
    described = spec.entity(entity.name)
    values: dict[str, Any] = sample_values(described, "devora-http")
    for relation in described.relations:
        values[f"{relation.name}_id"] = created[relation.entity]
    answer = _expect(await client.post(entity.api_path, json=values, headers=headers), done)
    identifier = int(answer.json()["id"])
    read = _expect(await client.get(f"{entity.api_path}/{identifier}", headers=headers), done)
    body = read.json()
    label = described.label_field()
    if label in values and str(body.get(label)) != str(values[label]):
        raise RoundTripError(
            f"GET {entity.api_path}/{identifier} gave {label}={body.get(label)!r}, "
            f"not the {values[label]!r} created"
        )
    return identifier
