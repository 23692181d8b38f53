"""The app starts in its environment, answers its health check, and does a create/read
round-trip over HTTP for a signed-up, authenticated user (and refuses an anonymous one)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from devora.tools.webapp import AppStartError, RunningApp
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject
from devora.workflows.saas_mvp._records import Verification, VerificationStatus
from devora.workflows.saas_mvp._samples import CHECK_PASSWORD, check_email, sample_values
from devora.workflows.saas_mvp._served import checked_entity, serve_argv, serve_project
from devora.workflows.saas_mvp._spec import ProductSpec

__all__ = ["verify_http"]

NAME = "app over HTTP"


class RoundTripError(Exception):
    """One request of the round-trip did not answer as it should."""


async def verify_http(project: GeneratedProject, python: Path, spec: ProductSpec) -> Verification:
    """Start the app, check its health, sign up, sign in, create a row and read it back."""
    argv = tuple(serve_argv(project, python))
    started = time.monotonic()
    done: list[str] = []
    entity = checked_entity(project, spec)
    try:
        async with serve_project(project, python) as running:
            done.append(f"GET {project.health_path} -> {running.health_status}")
            try:
                details = await _round_trip(running, project, entity, spec, done)
            except (RoundTripError, httpx.HTTPError, KeyError, ValueError) as error:
                return _failed(argv, done, str(error), running.output_tail(), started)
    except AppStartError as error:
        return _failed(argv, done, error.problem, error.output_tail, started)
    return Verification(
        name=NAME,
        status=VerificationStatus.PASSED,
        command=argv,
        exit_status=None,
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


async def _round_trip(
    running: RunningApp,
    project: GeneratedProject,
    entity: GeneratedEntity,
    spec: ProductSpec,
    done: list[str],
) -> dict[str, Any]:
    email = check_email("http")
    values = sample_values(spec.entity(entity.name), "devora-http")
    async with httpx.AsyncClient(base_url=running.url, timeout=15.0) as client:
        _expect(await client.post(entity.api_path, json=values), done, 401, 403)
        credentials = {"email": email, "password": CHECK_PASSWORD}
        _expect(await client.post(project.api_signup_path, json=credentials), done)
        token = _expect(
            await client.post(
                project.api_token_path, data={"username": email, "password": CHECK_PASSWORD}
            ),
            done,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        created = _expect(await client.post(entity.api_path, json=values, headers=headers), done)
        identifier = created.json()["id"]
        read = _expect(await client.get(f"{entity.api_path}/{identifier}", headers=headers), done)
    body = read.json()
    label = spec.entity(entity.name).label_field()
    if label in values and str(body.get(label)) != str(values[label]):
        raise RoundTripError(
            f"GET {entity.api_path}/{identifier} gave {label}={body.get(label)!r}, "
            f"not the {values[label]!r} created"
        )
    return {"entity": entity.name, "id": identifier, "requests": len(done)}
