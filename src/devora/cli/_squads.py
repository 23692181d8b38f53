"""Commands about who does the work: `devora squads` and `devora config`."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from devora.cli._common import console

__all__ = ["register"]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def register(app: typer.Typer) -> None:
    """Add the squad and configuration commands to the app."""
    app.command()(squads)
    app.command("config")(show_config)


def squads(json_output: JsonOption = False) -> None:
    """List the squads, their agents, each agent's backend and model, contacts and approvers."""
    from devora.config import load_config
    from devora.squads import Backend, effective_squads

    effective = effective_squads(load_config())
    if json_output:
        print(
            json.dumps(
                [
                    {
                        **squad.model_dump(mode="json", exclude={"contacts"}),
                        "contacts": [_masked_contact(c) for c in squad.contacts],
                    }
                    for squad in effective.values()
                ]
            )
        )
        return
    from rich.table import Table

    table = Table("squad", "agent", "backend", "model / tools", "contacts", "approvers")
    for squad in effective.values():
        for index, agent in enumerate(squad.agents):
            if agent.backend is Backend.LLM:
                works_with = agent.model or "no model: human task"
            else:
                works_with = ", ".join(agent.tools) or "-"
            first = index == 0
            table.add_row(
                squad.name if first else "",
                agent.role,
                agent.backend.value,
                works_with,
                ", ".join(c.name or c.kind for c in squad.contacts) if first else "",
                ", ".join(squad.approvers) if first else "",
            )
    console().print(table)


def show_config(json_output: JsonOption = False) -> None:
    """Show the effective configuration (file, then environment), secrets masked."""
    from devora.config import ENVIRONMENT_OVERRIDES, load_config
    from devora.llm import provider_key_variables
    from devora.store import mask_url, resolve_store_location

    config = load_config()
    data = config.model_dump(mode="json", exclude={"source"})
    for squad in data.get("squads", {}).values():
        squad["contacts"] = [_masked_contact_dict(c) for c in squad.get("contacts", [])]
    location = resolve_store_location()
    effective: dict[str, Any] = {
        "source": config.source or "(no devora.toml or [tool.devora]: defaults)",
        "store": mask_url(location.url),
        "home": str(location.home),
        "environment": {
            name: "set" if os.environ.get(name) else "unset"
            for name in [*ENVIRONMENT_OVERRIDES, *provider_key_variables()]
        },
        **data,
    }
    if json_output:
        print(json.dumps(effective, indent=2))
        return
    from rich.syntax import Syntax

    console().print(Syntax(json.dumps(effective, indent=2), "json", word_wrap=True))


def _masked_contact(contact: Any) -> dict[str, Any]:
    return _masked_contact_dict(contact.model_dump(mode="json"))


def _masked_contact_dict(contact: dict[str, Any]) -> dict[str, Any]:
    masked = dict(contact)
    if masked.get("url"):
        parts = urlsplit(masked["url"])
        masked["url"] = f"{parts.scheme}://{parts.netloc}/***"
    return masked
