"""Lanes of the implement step: the backend's and the frontend's tasks on branches of their
own, started at the same base, done in parallel and merged at the end into the run's branch.
A merge conflict is never resolved by picking a side: it becomes a task for a person."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from devora.errors import StepError
from devora.tools.git import COMMITTER, git_output, run_git
from devora.workflows.feature_development._documents import FeaturePlan, PlanTask

__all__ = ["Lane", "MergeOutcome", "MergeResolution", "merge_lanes", "split_lanes"]


@dataclass(frozen=True)
class Lane:
    """Tasks done one after another on one branch (devora/<label>)."""

    label: str
    squad: str
    tasks: tuple[PlanTask, ...]

    @property
    def branch(self) -> str:
        """The lane's git branch."""
        return f"devora/{self.label}"


def split_lanes(plan: FeaturePlan, label: str) -> list[Lane]:
    """One lane per squad when the plan has backend and frontend tasks and none waits for a
    task of the other squad; otherwise one lane on the run's branch, in dependency order."""
    ordered = plan.ordered()
    squads = sorted({task.squad for task in ordered})
    owner = {task.id: task.squad for task in ordered}
    crossing = any(owner[d] != task.squad for task in ordered for d in task.depends_on)
    if len(squads) < 2 or crossing:
        return [Lane(label, ordered[0].squad if len(squads) == 1 else "backend", tuple(ordered))]
    return [
        Lane(f"{label}-{squad}", squad, tuple(t for t in ordered if t.squad == squad))
        for squad in squads
    ]


class MergeResolution(BaseModel):
    """A person's merge of the lanes: a commit holding every lane's branch."""

    commit: str = Field(description="a commit whose history holds every lane's last commit")
    summary: str = Field(default="", description="how the conflicts were resolved")


@dataclass(frozen=True)
class MergeOutcome:
    """The lanes merged into the run's branch, or the files that conflicted."""

    head: str
    conflicts: tuple[str, ...] = ()
    conflicted_lane: str = ""


async def merge_lanes(worktree: Path, heads: dict[str, str]) -> MergeOutcome:
    """Merge each lane's head (label -> commit) into the branch checked out at `worktree`;
    on a conflict the merge is aborted (the branch stays as it was before it) and the
    conflicting files are returned."""
    for label, head in heads.items():
        contained = await run_git(worktree, ["merge-base", "--is-ancestor", head, "HEAD"],
                                  check=False)  # fmt: skip
        if contained.returncode == 0:
            continue  # merged by an earlier attempt
        merged = await run_git(
            worktree,
            [*COMMITTER, "merge", "--no-ff", "--no-edit", "-m", f"merge {label}", head],
            check=False,
            time_limit=120,
        )
        if merged.returncode != 0:
            listed = await git_output(worktree, ["diff", "--name-only", "--diff-filter=U"])
            await run_git(worktree, ["merge", "--abort"], check=False)
            conflicts = tuple(name for name in listed.splitlines() if name)
            if not conflicts:  # failed for another reason: git's own words
                raise StepError(
                    f"merging {label} failed: {(merged.stderr or merged.stdout).strip()[-500:]}",
                    hint="see the step's log; the lanes' branches are kept until the run ends",
                )
            return MergeOutcome(await _head(worktree), conflicts, label)
    return MergeOutcome(await _head(worktree))


async def _head(worktree: Path) -> str:
    return (await git_output(worktree, ["rev-parse", "HEAD"])).strip()
