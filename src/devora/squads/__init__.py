"""Squads own steps; their agents (tool, LLM or human) do the work."""

from devora.squads._agent_task import AgentTask, human_task_prompt
from devora.squads._catalog import SQUAD_CATALOG
from devora.squads._coding_task import CodeChange, CodingTask
from devora.squads._model import Agent, Backend, Squad
from devora.squads._resolve import (
    NotAnApproverError,
    UnknownSquadError,
    effective_squads,
    ensure_may_approve,
    find_agent,
    squad_names,
)

__all__ = [
    "SQUAD_CATALOG",
    "Agent",
    "AgentTask",
    "Backend",
    "CodeChange",
    "CodingTask",
    "NotAnApproverError",
    "Squad",
    "UnknownSquadError",
    "effective_squads",
    "ensure_may_approve",
    "find_agent",
    "human_task_prompt",
    "squad_names",
]
