"""Errors as HTTP answers: a JSON body `{"error", "hint", "code"}` and the right status.

Every DevoraError maps to a status by its family; request validation names each field;
anything unexpected is a 500 whose body says nothing of the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from devora.engine import InvalidAnswerError, StepNotWaitingError
from devora.errors import (
    DevoraError,
    EnvironmentProblem,
    IllegalTransitionError,
    InputValidationError,
    RunBusyError,
    RunNotFoundError,
    RunNotResumableError,
    UnknownWorkflowError,
)
from devora.secrets import redact
from devora.server._auth import NotAuthenticatedError
from devora.squads import NotAnApproverError

__all__ = [
    "ArtifactNotFoundError",
    "devora_error_response",
    "error_response",
    "install_error_handlers",
    "status_for",
]

_log = logging.getLogger("devora.server")


class ArtifactNotFoundError(DevoraError):
    """No artifact of this name, or its path lies outside the run's folder."""

    code = "artifact_not_found"

    def __init__(self, run_id: str, name: str) -> None:
        self.run_id = run_id
        self.name = name
        super().__init__(
            f"run {run_id} has no artifact {name!r}",
            hint=f"GET /api/runs/{run_id} lists its artifacts",
        )


_STATUS: tuple[tuple[type[DevoraError], int], ...] = (
    (NotAuthenticatedError, 401),
    (NotAnApproverError, 403),
    (RunNotFoundError, 404),
    (UnknownWorkflowError, 404),
    (ArtifactNotFoundError, 404),
    (InputValidationError, 422),
    (InvalidAnswerError, 422),
    (StepNotWaitingError, 409),
    (RunNotResumableError, 409),
    (RunBusyError, 409),
    (IllegalTransitionError, 409),
    (EnvironmentProblem, 503),
)


def status_for(error: DevoraError) -> int:
    """The HTTP status of a Devora error (400 for any other bad request)."""
    for family, status in _STATUS:
        if isinstance(error, family):
            return status
    return 400


def error_response(status: int, message: str, hint: str, code: str, **extra: Any) -> JSONResponse:
    """The one shape of every error the API answers."""
    body: dict[str, Any] = {"error": redact(message), "hint": redact(hint), "code": code}
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _devora_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DevoraError)
    return devora_error_response(error)


def devora_error_response(error: DevoraError) -> JSONResponse:
    """The answer to a Devora error: its status, message, hint, code (and bad fields)."""
    extra: dict[str, Any] = {}
    if isinstance(error, InputValidationError):
        extra["fields"] = [{"field": f, "problem": p} for f, p in error.problems]
    return error_response(status_for(error), error.message, error.hint, error.code, **extra)


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(part) for part in problem.get("loc", ())) or "request",
            "problem": str(problem.get("msg", "invalid")),
        }
        for problem in error.errors()
    ]
    details = "; ".join(f"{f['field']}: {f['problem']}" for f in fields[:5])
    return error_response(
        422,
        f"invalid request: {details}",
        "GET /openapi.json describes every route's parameters and body",
        "invalid_request",
        fields=fields,
    )


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    hints = {
        404: "GET /openapi.json lists the routes",
        405: "GET /openapi.json lists each route's methods",
    }
    return error_response(
        error.status_code,
        str(error.detail),
        hints.get(error.status_code, "GET /openapi.json describes the API"),
        "http_error",
    )


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    _log.error("unexpected error", exc_info=error)
    return error_response(
        500,
        "internal error: the request was not carried out",
        "the server's log has the details; report it with the request that caused it",
        "internal",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error a JSON body with `error` and `hint`."""
    app.add_exception_handler(DevoraError, _devora_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
