"""A web application started for a check: a free port, its health check, a clean stop.

async with open_app([python, "-m", "uvicorn", "app.main:app", "--port", str(port)],
                    cwd=root, port=port) as app:
    ...  # app.url answers /health
"""

from devora.tools.webapp._detached import process_start_time, stop_command, stop_detached
from devora.tools.webapp._errors import AppStartError
from devora.tools.webapp._server import (
    RunningApp,
    free_port,
    open_app,
    start_detached,
    wait_for_health,
)

__all__ = [
    "AppStartError",
    "RunningApp",
    "free_port",
    "open_app",
    "process_start_time",
    "start_detached",
    "stop_command",
    "stop_detached",
    "wait_for_health",
]
