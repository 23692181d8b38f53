"""Who is answering, and whether they may: identity is never self-declared.

When a run is created, the approvers of every squad and the ``[approvers]`` table of the
configuration (a name -> the OS account it stands for) are recorded with it
(`approval_policy`). An answer is checked against that record, not against whatever
configuration the current directory holds. The CLI's identity is the OS account of the
real user id, the API's its token's owner, each mapped to its name through the recorded
table (`record_answer`).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping, Sequence
from typing import Any

from devora.config import DevoraConfig
from devora.errors import UsageError
from devora.squads._resolve import effective_squads
from devora.store import EventKind, Store

__all__ = [
    "NotAnApproverError",
    "NotYouError",
    "account_identity",
    "approval_policy",
    "ensure_may_approve",
    "os_account",
    "recorded_policy",
]

POLICY_KEY = "approval_policy"


class NotAnApproverError(UsageError):
    """Someone who is not among a squad's approvers tried to approve or reject."""

    code = "not_an_approver"

    def __init__(self, who: str, squad: str, approvers: Sequence[str]) -> None:
        self.who = who
        self.squad = squad
        super().__init__(
            f"{who} is not an approver of the {squad} squad (approvers: {', '.join(approvers)})",
            hint=f"ask one of them; the approvers are those configured when the run started "
            f"([squads.{squad}] approvers, and [approvers] to map a name to an OS account)",
        )


class NotYouError(UsageError):
    """`--by` named someone other than the user running the command."""

    code = "not_you"

    def __init__(self, claimed: str, who: str) -> None:
        self.claimed = claimed
        self.who = who
        super().__init__(
            f"--by {claimed}: you are {who} (your OS account, mapped through [approvers])",
            hint=f"leave out --by, or ask {claimed} to answer from their own account",
        )


def os_account() -> str:
    """The login of the real user id running this process (not $USER, which anyone can set)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (some containers)
        return str(uid)


def approval_policy(config: DevoraConfig) -> dict[str, Any]:
    """What is recorded with a new run: each squad's approvers and the name -> account table."""
    approvers = {
        name: list(squad.approvers)
        for name, squad in effective_squads(config).items()
        if squad.approvers
    }
    return {"approvers": approvers, "accounts": dict(config.approvers)}


def recorded_policy(store: Store, run_id: str) -> dict[str, Any]:
    """The policy recorded when the run was created (empty for runs made before it was)."""
    for event in store.events(run_id, kinds=[EventKind.RUN_CREATED], limit=1):
        context = event.data.get("context") or {}
        policy = context.get(POLICY_KEY) if isinstance(context, dict) else None
        if isinstance(policy, dict):
            return policy
    return {}


def account_identity(policy: Mapping[str, Any], account: str) -> str:
    """The name an OS account goes by in the recorded [approvers] table (else the account)."""
    accounts: Mapping[str, str] = policy.get("accounts") or {}
    names = [name for name, login in accounts.items() if login == account]
    return names[0] if names else account


def ensure_may_approve(policy: Mapping[str, Any], squad: str | None, who: str) -> None:
    """Refuse an approval by someone the recorded policy does not list for the squad.

    A squad without approvers may be approved by anyone who can run Devora on the store.
    """
    approvers: Sequence[str] = (policy.get("approvers") or {}).get(squad or "", [])
    if approvers and who not in approvers:
        raise NotAnApproverError(who, squad or "", approvers)
