"""Squads own steps; their agents (tool, LLM or human) do the work."""

from devora.squads._agent_task import AgentTask, human_task_prompt
from devora.squads._answers import record_answer
from devora.squads._catalog import SQUAD_CATALOG
from devora.squads._coding_task import CodeChange, CodingTask, code_change, run_coding_agent
from devora.squads._identity import (
    NotAnApproverError,
    NotYouError,
    account_identity,
    approval_policy,
    ensure_may_approve,
    os_account,
    recorded_policy,
)
from devora.squads._model import Agent, Backend, Squad
from devora.squads._resolve import (
    UnknownSquadError,
    effective_squads,
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
    "NotYouError",
    "Squad",
    "UnknownSquadError",
    "account_identity",
    "approval_policy",
    "code_change",
    "effective_squads",
    "ensure_may_approve",
    "find_agent",
    "human_task_prompt",
    "os_account",
    "record_answer",
    "recorded_policy",
    "run_coding_agent",
    "squad_names",
]
