"""The coding agent: an LLM with file and command tools, confined to a worktree of its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.agents._commands import CommandPolicy, CommandResult
from devora.agents._errors import AgentLimitError
from devora.agents._sandbox import find_bubblewrap
from devora.agents._toolbox import TOOL_SPECS, Toolbox
from devora.llm import Message, Provider, ToolCall, Usage
from devora.tools.git import Worktree, commit_worktree, open_worktree

__all__ = ["DEFAULT_SYSTEM_PROMPT", "CodingAgent", "CodingResult"]

DEFAULT_SYSTEM_PROMPT = """\
You are a careful software engineer working in a git repository checked out for you.
Use the tools to look around (list_files, read_file, search), change files (write_file
replaces the whole file), and check your work with the allowed commands (run_command).
Paths are relative to the repository root. Make the smallest change that does the task,
keep the style of the code around it, and run the tests before you finish.
When you are done, answer without calling a tool: a short summary of what you changed and
why, and the result of the last test run. That answer ends your work."""

_UNSANDBOXED = (
    'WARNING: [agents] sandbox = "off": the agent\'s commands run WITHOUT a sandbox; they can '
    "read and change anything your account can"
)


class CodingResult(BaseModel):
    """What the agent did: its branch and worktree, the committed patch, and what it cost."""

    model_config = ConfigDict(frozen=True)

    branch: str
    worktree: Path
    base_commit: str
    head_commit: str
    patch: str
    files_changed: list[str]
    summary: str
    iterations: int
    commands: list[CommandResult]
    usage: Usage


@dataclass
class CodingAgent:
    """Runs a tool-calling loop with `provider` on branch `devora/<run-id>` of a repository."""

    provider: Provider
    commands: CommandPolicy = field(default_factory=CommandPolicy)
    max_iterations: int = 30
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    worktrees_root: Path | None = None
    on_log: Callable[[str], None] | None = None

    async def run(self, repository: Path, task: str, *, run_id: str) -> CodingResult:
        """Do `task` in a new worktree of `repository`; commit the work and return the patch."""
        usage_before = self.provider.usage.model_copy(deep=True)
        if not self.commands.sandbox:
            self._log(_UNSANDBOXED)
        elif self.commands.allowed:
            await find_bubblewrap()  # refuse before the first model call, not at the first command
        # A resumed run finds its worktree as the interrupted attempt left it.
        worktree = await open_worktree(repository, run_id, root=self.worktrees_root)
        self._log(f"agent worktree {worktree.path} on branch {worktree.branch}")
        toolbox = Toolbox(worktree.path, self.commands)
        if worktree.resumed:
            # Files the interrupted attempt wrote but did not commit are still its work.
            toolbox.written.update(await worktree.untracked_files())
            self._log(f"agent resumes in {worktree.path}")
        conversation = [Message.system(self.system_prompt), Message.user(task)]
        for iteration in range(1, self.max_iterations + 1):
            completion = await self.provider.complete(conversation, tools=TOOL_SPECS)
            conversation.append(completion.as_message())
            if not completion.tool_calls:
                return await self._finish(
                    worktree, toolbox, completion.text, iteration, usage_before
                )
            for call in completion.tool_calls:
                answer = await toolbox.execute(call)
                self._log_tool(call, answer)
                conversation.append(Message.tool(call.id, answer))
        await commit_worktree(
            worktree, f"devora {run_id}: unfinished after {self.max_iterations} iterations",
            toolbox.written,
        )  # fmt: skip
        raise AgentLimitError(self.max_iterations, worktree.branch, str(worktree.path))

    async def _finish(
        self,
        worktree: Worktree,
        toolbox: Toolbox,
        summary: str,
        iterations: int,
        usage_before: Usage,
    ) -> CodingResult:
        title = (summary.strip().splitlines() or ["changes by the coding agent"])[0][:72]
        await commit_worktree(worktree, f"{title}\n\n{summary.strip()}\n", toolbox.written)
        files = await worktree.changed_files()
        self._log(f"agent done after {iterations} iteration(s); {len(files)} file(s) changed")
        return CodingResult(
            branch=worktree.branch,
            worktree=worktree.path,
            base_commit=worktree.base_commit,
            head_commit=await worktree.head(),
            patch=await worktree.patch(),
            files_changed=files,
            summary=summary,
            iterations=iterations,
            commands=list(toolbox.command_results),
            usage=self.provider.usage.since(usage_before),
        )

    def _log_tool(self, call: ToolCall, answer: str) -> None:
        if call.name == "run_command" and not self.commands.sandbox:
            self._log(_UNSANDBOXED)
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        first_line = answer.splitlines()[0] if answer else ""
        self._log(
            f"agent tool {call.name}({_clip(arguments, 200)}) -> {_clip(first_line, 200)}"
            f" [{len(answer)} characters]"
        )

    def _log(self, line: str) -> None:
        sink = self.on_log or self.provider.options.on_log
        if sink is not None:
            sink(self.provider.redact(line))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
