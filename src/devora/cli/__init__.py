"""The command-line interface. Heavy modules are imported by the commands that need them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from devora.errors import DevoraError

__all__ = ["exit_now", "main", "run_command"]


def run_command() -> NoReturn:
    """The `devora` program: `main()`, then an exit without the interpreter's teardown."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """Run the atexit handlers, flush the terminal, and end the process with `code`.

    Tearing the interpreter down frees every object one by one: a third of a second after
    a run, for nothing, since the store and every file are closed by then.
    """
    import atexit
    import contextlib
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `devora`: the one place that turns errors into messages and exit codes."""
    from devora.cli._app import app, register_commands
    from devora.cli._common import err_console
    from devora.errors import DevoraError

    try:
        register_commands(argv)
        returned = app(args=argv, standalone_mode=False)
        if isinstance(returned, int):
            return returned
    except DevoraError as error:
        _print_error(err_console(), error.message, error.hint)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except SystemExit as exit_:
        return _code_of(exit_.code)
    except BaseExceptionGroup as group:  # a task group's failure: report the Devora error in it
        inner = _devora_error_in(group)
        if inner is None:
            raise
        _print_error(err_console(), inner.message, inner.hint)
        return inner.exit_code
    except OSError as exc:
        full = _disk_full(exc)
        if full is None:
            raise
        _print_error(err_console(), full.message, full.hint)
        return full.exit_code
    except Exception as exc:  # typer/click usage errors and exits arrive here too
        code = _click_exit(exc)
        if code is not None:
            return code
        raise
    return 0


def _devora_error_in(group: BaseExceptionGroup[BaseException]) -> DevoraError | None:
    """The first Devora error in a (nested) exception group, the disk-full one included."""
    from devora.errors import DevoraError

    for error in group.exceptions:
        if isinstance(error, DevoraError):
            return error
        if isinstance(error, BaseExceptionGroup):
            found = _devora_error_in(error)
            if found is not None:
                return found
        if isinstance(error, OSError) and (full := _disk_full(error)) is not None:
            return full
    return None


def _disk_full(error: OSError) -> DevoraError | None:
    """A full disk (or file-size limit) met outside the store, as a Devora error."""
    import errno

    from devora.errors import StoreFullError

    if error.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return None
    return StoreFullError(str(error.filename or "the disk"), error.strerror or str(error))


def _code_of(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _click_exit(exc: Exception) -> int | None:
    """Map the CLI library's own exits and usage errors to exit codes (2 for usage)."""
    exit_code = getattr(exc, "exit_code", None)
    show = getattr(exc, "show", None)
    if callable(show):
        show()
        return int(exit_code) if isinstance(exit_code, int) else 2
    if type(exc).__name__ in {"Exit", "Abort"}:
        return int(exit_code) if isinstance(exit_code, int) else 1
    return None


def _print_error(console: object, message: str, hint: str | None) -> None:
    from rich.console import Console
    from rich.markup import escape

    assert isinstance(console, Console)
    console.print(f"[bold red]Error:[/] {escape(message)}")
    if hint:
        console.print(f"[bold]Hint:[/] {escape(hint)}")
