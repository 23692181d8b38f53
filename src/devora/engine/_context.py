"""What an action sees: its run, its inputs, earlier results, a log, and outside answers."""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from pydantic import BaseModel, Field, ValidationError

from devora.errors import StepError
from devora.private_files import PRIVATE_FILE_MODE, make_private_dir, open_private, write_private
from devora.secrets import redact_artifact
from devora.store import AnswerRecord, ArtifactRecord, Event, EventKind, Store

if TYPE_CHECKING:
    from devora.engine._durable_step import DurableSteps
    from devora.engine._workflow import Step

__all__ = ["Approval", "StepContext", "StepSuspended", "WaitRequest"]

InputsT = TypeVar("InputsT", bound=BaseModel)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class WaitRequest(BaseModel):
    """What a suspended step waits for: an approval or an input, from whom, and why."""

    kind: Literal["approval", "input", "child"]
    key: str = Field(description="where the answer is filed: the step id, or STEP#approval")
    child_run_id: str | None = Field(default=None, description="for kind=child: the child run")
    prompt: str
    squad: str | None = None
    output_schema: dict[str, Any] | None = None


class StepSuspended(BaseException):
    """Raised inside an action to suspend the run until an outside answer arrives.

    It derives from BaseException so that an action's `except Exception` cannot swallow it.
    """

    def __init__(self, request: WaitRequest) -> None:
        super().__init__(request.prompt)
        self.request = request


class Approval(BaseModel):
    """An answer to an approval request."""

    approved: bool
    comment: str | None = None
    by: str | None = None


@dataclass(slots=True)
class StepContext(Generic[InputsT]):
    """Handed to every action: read inputs and earlier results, log, wait, keep artifacts."""

    run_id: str
    step_id: str
    attempt: int
    inputs: InputsT
    dry_run: bool
    _execution: DurableSteps

    @overload
    def result(self, step: Step[T]) -> T: ...
    @overload
    def result(self, step: str) -> Any: ...
    def result(self, step: Step[Any] | str) -> Any:
        """The typed output of an earlier step (None when it was skipped)."""
        step_id = step if isinstance(step, str) else step.id
        return self._execution.result_of(step_id)

    @property
    def results(self) -> Mapping[str, Any]:
        """Outputs of every step done so far, by step id."""
        return self._execution.results_view()

    def status(self, step: Step[Any] | str) -> str:
        """The status of an earlier step (succeeded, skipped, planned...)."""
        step_id = step if isinstance(step, str) else step.id
        return self._execution.status_of(step_id).value

    def log(self, message: str, **data: Any) -> None:
        """Add a line to the step's log (an event, journaled and streamed)."""
        self._execution.call_in_loop(
            self._execution.journal.event,
            EventKind.STEP_LOG,
            step_id=self.step_id,
            attempt=self.attempt,
            message=message,
            data=data or None,
        )

    def answer(self, key: str | None = None) -> AnswerRecord | None:
        """The outside answer filed for this step (or `key`), if any."""
        return self._execution.answers.get(key or self.step_id)

    def wait_for_input(self, prompt: str, model: type[M], *, squad: str | None = None) -> M:
        """Return the answer given for this step, or suspend the run until one is."""
        answer = self.answer()
        if answer is None:
            raise StepSuspended(
                WaitRequest(
                    kind="input",
                    key=self.step_id,
                    prompt=prompt,
                    squad=squad,
                    output_schema=model.model_json_schema(),
                )
            )
        try:
            return model.model_validate(answer.payload)
        except ValidationError as exc:
            raise StepError(
                f"the answer given for step {self.step_id!r} does not fit {model.__name__}: "
                f"{exc.errors()[0]['msg']}"
            ) from exc

    def wait_for_approval(self, prompt: str, *, squad: str | None = None) -> Approval:
        """Return the approval decision for this step, or suspend the run until one is made."""
        key = f"{self.step_id}#approval"
        answer = self.answer(key)
        if answer is None:
            raise StepSuspended(WaitRequest(kind="approval", key=key, prompt=prompt, squad=squad))
        return Approval.model_validate({"by": answer.answered_by, **answer.payload})

    @property
    def summary(self) -> Mapping[str, Any]:
        """The figures recorded on the run so far (read-only)."""
        return MappingProxyType(self._execution.summary)

    def set_summary(self, **figures: Any) -> None:
        """Record small figures on the run (a score), listed by `devora runs`."""
        self._execution.call_in_loop(self._execution.update_summary, figures)

    @property
    def store(self) -> Store:
        """The store the run is journaled in (read it; the engine does the writing)."""
        return self._execution.store

    async def events(self, *kinds: EventKind) -> list[Event]:
        """The run's events so far (of the given kinds), committed first, in order."""
        await self._execution.journal.flush()
        return await self._execution.engine.call_store(
            functools.partial(self.store.events, self.run_id, kinds=kinds)
        )

    async def fresh_answer(self, key: str | None = None) -> AnswerRecord | None:
        """The answer filed for this step (or `key`), read from the store now.

        `answer()` sees the answers filed before the run (re)started; a step that waits
        for one to arrive while it runs (an acknowledgement) polls this instead.
        """
        answers = await self._execution.engine.call_store(self.store.answers, self.run_id)
        self._execution.answers.update(answers)
        return answers.get(key or self.step_id)

    @property
    def home(self) -> Path:
        """Devora's home directory (DEVORA_HOME): for workspaces a step keeps across resumes."""
        return self._execution.store.location.home

    @property
    def artifacts_dir(self) -> Path:
        """This run's artifact directory (created on demand)."""
        return make_private_dir(self._execution.store.artifact_dir(self.run_id))

    def add_artifact(
        self, name: str, content: bytes | str | Path, *, media_type: str | None = None
    ) -> Path:
        """Keep a file in the run's artifacts and record it; returns its path.

        `content` is the file's text or bytes, or the Path of a file to copy in (copied
        and hashed in chunks, so a large backup never sits in memory; a file already at
        its place in the artifacts directory is only recorded).
        """
        if "/" in name or "\\" in name or name in {"", ".", ".."}:
            raise StepError(f"artifact name {name!r} must be a plain file name")
        path = self.artifacts_dir / name
        temporary = path.with_name(f".{name}.partial")
        digest = hashlib.sha256()
        if isinstance(content, Path) and content.resolve() == path.resolve():
            # Already written in place (a backup tool wrote it there): record it as it is.
            content.chmod(PRIVATE_FILE_MODE)
            with content.open("rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
        elif isinstance(content, Path):
            with content.open("rb") as source, open_private(temporary) as target:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    target.write(chunk)
        else:
            data = redact_artifact(content)  # a report quoting a tool's output quotes no secret
            digest.update(data)
            write_private(temporary, data)
        if temporary.exists():
            temporary.replace(path)
        record = ArtifactRecord(
            run_id=self.run_id,
            name=name,
            path=str(path),
            step_id=self.step_id,
            media_type=media_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=path.stat().st_size,
            sha256=digest.hexdigest(),
        )
        self._execution.call_in_loop(self._execution.journal.add_artifact, record)
        return path
