"""Loading a workflow defined in a Python file: `path/to/file.py:NAME`."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from devora.engine._workflow import Workflow
from devora.errors import UnknownWorkflowError

__all__ = ["is_file_reference", "load_workflow_file"]


def is_file_reference(reference: str) -> bool:
    """True for `something.py:NAME` references (as opposed to built-in names)."""
    path, sep, _ = reference.rpartition(":")
    return bool(sep) and path.endswith(".py")


def load_workflow_file(reference: str) -> Workflow:
    """Import the file and return its Workflow named NAME; the ref is made absolute."""
    path_text, _, attribute = reference.rpartition(":")
    path = Path(path_text).expanduser().resolve()
    if not path.is_file():
        raise UnknownWorkflowError(reference, reason=f"no file {path_text}")
    module_name = "devora_user_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise UnknownWorkflowError(reference, reason=f"cannot import {path_text}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[module_name]
            if hasattr(exc, "hint"):  # a DevoraError such as a bad definition: keep it
                raise
            raise UnknownWorkflowError(
                reference, reason=f"importing {path_text} failed: {type(exc).__name__}: {exc}"
            ) from exc
    workflow = getattr(module, attribute, None)
    if not isinstance(workflow, Workflow):
        known = [name for name, value in vars(module).items() if isinstance(value, Workflow)]
        raise UnknownWorkflowError(
            reference, reason=f"{path_text} defines no workflow named {attribute!r}", known=known
        )
    workflow.ref = f"{path}:{attribute}"
    return workflow
