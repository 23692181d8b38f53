"""The durable workflow engine: DAG, scheduling, retries, timeouts, compensation, dry-run,
sub-workflows, suspension and events. It knows nothing about software delivery."""

from devora.engine._action import Action, Plan, as_action
from devora.engine._attempts import StepTimeoutError
from devora.engine._context import Approval, StepContext, StepSuspended, WaitRequest
from devora.engine._control import (
    InvalidAnswerError,
    PendingRequest,
    StepNotWaitingError,
    answer_request,
    cancel_run,
    pending_requests,
)
from devora.engine._engine import Engine, new_run_id, owner_is_alive, this_process
from devora.engine._error_record import ErrorRecord
from devora.engine._events import EventBus, Subscriber
from devora.engine._faults import fault_point_in_step
from devora.engine._loader import is_file_reference, load_workflow_file
from devora.engine._outcome import RunResult, StepOutcome
from devora.engine._remote import RunsSeen, StepDelivery, perform_step
from devora.engine._subworkflow import SubWorkflow
from devora.engine._workflow import NoInputs, Retry, Step, Workflow
from devora.store import Event, EventKind, RunStatus, StepStatus

__all__ = [
    "Action",
    "Approval",
    "Engine",
    "ErrorRecord",
    "Event",
    "EventBus",
    "EventKind",
    "InvalidAnswerError",
    "NoInputs",
    "PendingRequest",
    "Plan",
    "Retry",
    "RunResult",
    "RunStatus",
    "RunsSeen",
    "Step",
    "StepContext",
    "StepDelivery",
    "StepNotWaitingError",
    "StepOutcome",
    "StepStatus",
    "StepSuspended",
    "StepTimeoutError",
    "SubWorkflow",
    "Subscriber",
    "WaitRequest",
    "Workflow",
    "answer_request",
    "as_action",
    "cancel_run",
    "fault_point_in_step",
    "is_file_reference",
    "load_workflow_file",
    "new_run_id",
    "owner_is_alive",
    "pending_requests",
    "perform_step",
    "this_process",
]
