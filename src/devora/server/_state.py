"""What every router of the server shares: the store, the config, the runner, the token."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from devora.config import DevoraConfig
from devora.engine import Workflow
from devora.errors import UnknownWorkflowError
from devora.server._auth import ApiToken, NotAuthenticatedError
from devora.server._runner import Runner
from devora.store import Store
from devora.workflows import available_workflows, resolve_workflow

__all__ = ["ServerState"]

_bearer = HTTPBearer(auto_error=False, description="The token of DEVORA_API_TOKEN or api-token")


@dataclass
class ServerState:
    """The server's shared parts; routers get it from `router(state)`.

    `extra_workflows` are workflows defined in files (`devora serve --workflow
    path/to/file.py:NAME`), offered by name: the API never loads a file a request names.
    """

    store: Store
    config: DevoraConfig
    runner: Runner
    token: ApiToken
    extra_workflows: Mapping[str, Workflow] = field(default_factory=dict)

    def check_token(self, presented: str | None) -> str:
        """The token owner's OS account when `presented` is the token; else 401."""
        if not self.token.matches(presented):
            raise NotAuthenticatedError()
        return self.token.owner

    def require_token(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> str:
        """A FastAPI dependency: checks the request's bearer token; gives its owner."""
        return self.check_token(None if credentials is None else credentials.credentials)

    def workflow_names(self) -> list[str]:
        """Every workflow a request may name: built-ins, plugins, the server's extras."""
        return sorted({*available_workflows(), *self.extra_workflows})

    async def load_workflow(self, name: str) -> Workflow:
        """`workflow(name)` off the event loop: a first import may take seconds."""
        return await asyncio.to_thread(self.workflow, name)

    async def load_reference(self, reference: str) -> Workflow:
        """The workflow a recorded run names (`workflow_ref`), imported off the loop."""
        return await asyncio.to_thread(resolve_workflow, reference)

    def workflow(self, name: str) -> Workflow:
        """The workflow a request names (a name only, never a file path)."""
        if name in self.extra_workflows:
            return self.extra_workflows[name]
        if name not in available_workflows():
            raise UnknownWorkflowError(name, known=self.workflow_names())
        return resolve_workflow(name)
