"""Squads and their agents: who owns a step and who (or what) does its work."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from devora.config import ContactConfig

__all__ = ["Agent", "Backend", "Squad"]


class Backend(StrEnum):
    """How an agent works: runs a real tool, asks a model, or asks a person."""

    TOOL = "tool"
    LLM = "llm"
    HUMAN = "human"


class Agent(BaseModel):
    """A member of a squad: its role, how it works, what it may use, and its prompt."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description="short id within the squad, e.g. test-engineer")
    role: str
    description: str
    backend: Backend
    tools: tuple[str, ...] = ()
    prompt: str = Field(default="", description="system prompt of an LLM agent")
    model: str | None = Field(default=None, description="provider:model once configured")


class Squad(BaseModel):
    """A team that owns steps: its agents, where its notifications go, who approves."""

    name: str
    description: str
    agents: tuple[Agent, ...]
    contacts: tuple[ContactConfig, ...] = ()
    approvers: tuple[str, ...] = ()

    def agent(self, key: str) -> Agent:
        """The agent with this key (or role); KeyError when there is none."""
        for agent in self.agents:
            if key in (agent.key, agent.role):
                return agent
        raise KeyError(key)
