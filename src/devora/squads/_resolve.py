"""The effective squads: the catalog with the configuration's models, contacts and approvers."""

from __future__ import annotations

from devora.config import ConfigError, DevoraConfig
from devora.errors import UsageError
from devora.squads._catalog import SQUAD_CATALOG
from devora.squads._model import Agent, Backend, Squad

__all__ = [
    "UnknownSquadError",
    "effective_squads",
    "find_agent",
    "squad_names",
]


class UnknownSquadError(UsageError):
    """A step or the configuration names a squad (or agent) that does not exist."""

    code = "unknown_squad"

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(
            f"unknown squad or agent {name!r}",
            hint=f"known: {', '.join(known)}; `devora squads` lists them with their agents",
        )


def squad_names() -> list[str]:
    """The names of the eight squads."""
    return [squad.name for squad in SQUAD_CATALOG]


def effective_squads(config: DevoraConfig) -> dict[str, Squad]:
    """Every squad with the configured model on its LLM agents, its contacts and approvers."""
    catalog = {squad.name: squad for squad in SQUAD_CATALOG}
    unknown = sorted(set(config.squads) - set(catalog))
    if unknown:
        raise ConfigError(
            config.source or "the configuration",
            f"unknown squad {unknown[0]!r} (squads: {', '.join(catalog)})",
        )
    squads: dict[str, Squad] = {}
    for name, squad in catalog.items():
        override = config.squads.get(name)
        agent_keys = {agent.key for agent in squad.agents}
        if override is not None:
            strangers = sorted(set(override.agents) - agent_keys)
            if strangers:
                raise ConfigError(
                    config.source or "the configuration",
                    f"squad {name!r} has no agent {strangers[0]!r} "
                    f"(agents: {', '.join(sorted(agent_keys))})",
                )
        agents = tuple(_with_model(agent, config, name) for agent in squad.agents)
        squads[name] = squad.model_copy(
            update={
                "agents": agents,
                "contacts": tuple(override.contacts) if override else (),
                "approvers": tuple(override.approvers) if override else (),
            }
        )
    return squads


def _with_model(agent: Agent, config: DevoraConfig, squad: str) -> Agent:
    if agent.backend is not Backend.LLM:
        return agent
    override = config.squads.get(squad)
    model = None
    if override is not None:
        agent_override = override.agents.get(agent.key)
        model = (agent_override.model if agent_override else None) or override.model
    model = model or config.llm.model
    return agent.model_copy(update={"model": model})


def find_agent(squads: dict[str, Squad], squad: str, agent: str | None = None) -> Agent:
    """The agent `agent` of `squad` (its first LLM agent when not named)."""
    if squad not in squads:
        raise UnknownSquadError(squad, list(squads))
    members = squads[squad].agents
    if agent is None:
        for member in members:
            if member.backend is Backend.LLM:
                return member
        return members[0]
    try:
        return squads[squad].agent(agent)
    except KeyError:
        raise UnknownSquadError(f"{squad}/{agent}", [f"{squad}/{a.key}" for a in members]) from None
