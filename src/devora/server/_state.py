"""What every router of the server shares: the store, the config, the runner, the token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from devora.config import DevoraConfig
from devora.engine import Workflow
from devora.errors import DevoraError, UnknownWorkflowError
from devora.server._auth import ApiToken, NotAuthenticatedError
from devora.server._runner import Runner
from devora.store import Store
from devora.workflows import available_workflows, resolve_workflow

__all__ = ["ServerState"]

_log = logging.getLogger("devora.server")
_bearer = HTTPBearer(auto_error=False, description="The token of DEVORA_API_TOKEN or api-token")


@dataclass
class ServerState:
    """The server's shared parts; routers get it from `router(state)`.

    `extra_workflows` are workflows defined in files (`devora serve --workflow
    path/to/file.py:NAME`), offered by name: the API never loads a file a request names.
    Workflows are imported once (`warm_up` at start, else at first use) and kept.
    """

    store: Store
    config: DevoraConfig
    runner: Runner
    token: ApiToken
    extra_workflows: Mapping[str, Workflow] = field(default_factory=dict)
    # Imported workflows by name and by recorded reference; the names the registry offers.
    _loaded: dict[str, Workflow] = field(default_factory=dict, init=False, repr=False)
    _registered: frozenset[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for workflow in self.extra_workflows.values():
            self._loaded[workflow.ref or workflow.name] = workflow

    def check_token(self, presented: str | None) -> str:
        """The token owner's OS account when `presented` is the token; else 401."""
        if not self.token.matches(presented):
            raise NotAuthenticatedError()
        return self.token.owner

    async def require_token(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> str:
        """A FastAPI dependency: checks the request's bearer token; gives its owner.

        Async, though it never waits: FastAPI would send a plain function to a thread.
        """
        return self.check_token(None if credentials is None else credentials.credentials)

    def workflow_names(self) -> list[str]:
        """Every workflow a request may name: built-ins, plugins, the server's extras."""
        return sorted({*self._registry_names(), *self.extra_workflows})

    def _registry_names(self) -> frozenset[str]:
        # Read once: scanning the entry points takes tens of milliseconds per call.
        if self._registered is None:
            self._registered = frozenset(available_workflows())
        return self._registered

    async def load_workflow(self, name: str) -> Workflow:
        """`workflow(name)`; a first import (it may take seconds) runs off the event loop."""
        loaded = self.extra_workflows.get(name) or self._loaded.get(name)
        return loaded if loaded is not None else await asyncio.to_thread(self.workflow, name)

    async def load_reference(self, reference: str) -> Workflow:
        """The workflow a recorded run names (`workflow_ref`), imported off the loop once."""
        loaded = self._loaded.get(reference)
        return loaded if loaded is not None else await asyncio.to_thread(self._import, reference)

    def workflow(self, name: str) -> Workflow:
        """The workflow a request names (a name only, never a file path)."""
        if name in self.extra_workflows:
            return self.extra_workflows[name]
        if name not in self._registry_names():
            raise UnknownWorkflowError(name, known=self.workflow_names())
        return self._import(name)

    def _import(self, reference: str) -> Workflow:
        loaded = self._loaded.get(reference)
        if loaded is None:
            loaded = self._loaded[reference] = resolve_workflow(reference)
        return loaded

    async def warm_up(self) -> None:
        """Import every workflow once, off the event loop, so that no request pays for it."""
        for name in await asyncio.to_thread(self.workflow_names):
            try:
                await asyncio.to_thread(self.workflow, name)
            except DevoraError as error:  # a broken plugin is reported when it is asked for
                _log.warning("workflow %s was not loaded: %s", name, error.message)
