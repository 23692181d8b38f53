"""The OS sandbox every agent command runs in: bubblewrap, or refused, or (opted out) bare.

Checking a command's first word is not enough: `ruff format /elsewhere/x.py` or a test file
the agent wrote and pytest runs can reach anything the user can. So each command runs under
bubblewrap (`bwrap`): the root filesystem read-only, only the worktree and a private /tmp
writable, no network, a PID namespace with its own /proc (the parent's environment is not
there to read), an environment rebuilt from an allow-list, and killed with its parent.
Without a working bwrap the command is refused, unless the user set `[agents] sandbox =
"off"`; then it runs unconfined, with a warning on every command.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from devora.agents._errors import SandboxUnavailableError
from devora.secrets import known_secrets
from devora.tools._subprocess import Completed, Confinement, run_bounded

__all__ = [
    "command_environment",
    "find_bubblewrap",
    "run_sandboxed",
    "sandbox_argv",
    "sandbox_confinement",
]

_log = logging.getLogger("devora.agents.sandbox")

# What a test runner or linter needs from the user's environment; nothing else passes.
_ALLOWED_NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LANGUAGE",
        "TERM",
        "TZ",
        "COLUMNS",
        "NO_COLOR",
        "FORCE_COLOR",
        "VIRTUAL_ENV",
        "PYTHONPATH",
    }
)
_ALLOWED_PREFIXES = ("LC_",)
# Inside the sandbox: HOME is a directory of the private /tmp, thrown away afterwards.
_SANDBOX_TMP = "/tmp"  # nosec B108 - a fresh tmpfs inside the sandbox, not the host's /tmp
_SANDBOX_HOME = "/tmp/home"  # nosec B108 - inside that tmpfs
# bubblewrap that works on this machine, by path (probing costs a process per check).
_working: dict[str, bool] = {}
# Every namespace of its own (no network, no view of other processes); gone with Devora.
_NAMESPACES = (
    "--unshare-user-try",
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--die-with-parent",
    "--new-session",
)


def command_environment(
    base: Mapping[str, str] | None = None, hidden: Sequence[str] = ()
) -> dict[str, str]:
    """The environment for agent commands: the allow-listed names of `base`, no secrets.

    A variable is dropped when it is in `hidden` or when its value holds a secret Devora
    knows (devora.secrets: secret-named variables, URL passwords, registered keys).
    """
    source = os.environ if base is None else base
    secrets = known_secrets(source)
    env = {
        name: value
        for name, value in source.items()
        if (name in _ALLOWED_NAMES or name.startswith(_ALLOWED_PREFIXES))
        and name not in hidden
        and not any(secret in value for secret in secrets)
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


async def find_bubblewrap() -> str:
    """The path of a bwrap that can build a sandbox here; SandboxUnavailableError if none."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed")
    if bwrap not in _working:
        # A bwrap that is installed may still be unable to create namespaces (a container
        # without user namespaces): try once, with the same namespaces commands get.
        probe = await run_bounded(
            [bwrap, "--ro-bind", "/", "/", *_NAMESPACES, "--", "true"],
            cwd=Path("/"),
            time_limit=30,
            env={"PATH": os.defpath},
        )
        if probe.returncode != 0:
            problem = probe.stderr.decode(errors="replace").strip()[:300]
            raise SandboxUnavailableError(f"{bwrap} cannot create a sandbox here: {problem}")
        _working[bwrap] = True
    return bwrap


def sandbox_argv(
    bwrap: str,
    argv: Sequence[str],
    worktree: Path,
    *,
    writable: Sequence[Path] = (),
    readable: Sequence[Path] = (),
    cwd: Path | None = None,
) -> list[str]:
    """The bwrap command line that runs `argv` in `cwd` (default: the worktree), confined to
    `worktree` (and the `writable` directories).

    The sandbox has a /tmp of its own; `readable` directories (a project environment that
    lives under /tmp, say) are shown in it read-only.
    """
    root = str(worktree.resolve())
    # Read-only first: a worktree or scratch directory inside one stays writable.
    shown = [part for path in readable for part in ("--ro-bind", str(path), str(path))]
    extra = [part for path in writable for part in ("--bind", str(path), str(path))]
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",  # a new one, for the new PID namespace: no parent to read
        "--tmpfs", _SANDBOX_TMP,
        "--dir", _SANDBOX_HOME,
        *shown,
        "--bind", root, root,  # after the tmpfs, so a worktree under /tmp stays visible
        *extra,
        *_NAMESPACES,
        "--chdir", str(cwd.resolve()) if cwd is not None else root,
        "--",
        *argv,
    ]  # fmt: skip


def tools_under_tmp(search_path: str, argv: Sequence[str] = ()) -> list[Path]:
    """The PATH directories (and the program's own, when argv names it by path) that the
    sandbox's own /tmp would hide — a checkout under /tmp and its .venv: a virtual
    environment whole (its interpreter needs lib/), else the directory."""
    tmp = Path(_SANDBOX_TMP)
    shown: dict[Path, None] = {}
    entries = search_path.split(os.pathsep)
    if argv and os.path.isabs(argv[0]):
        entries.append(os.path.dirname(argv[0]))
    for entry in entries:
        if not entry:
            continue
        directory = Path(entry).resolve()
        if not directory.is_dir() or directory == tmp or not directory.is_relative_to(tmp):
            continue
        venv = directory.parent
        shown[venv if (venv / "pyvenv.cfg").is_file() else directory] = None
    return list(shown)


def sandbox_confinement(
    bwrap: str, worktree: Path, scratch: Path, readable: Sequence[Path] = ()
) -> Confinement:
    """Tools started by `run_process` inside `confined(...)` run in the agent's sandbox (built
    by `bwrap`, from `find_bubblewrap`): only `worktree` and `scratch` writable, `readable`
    shown read-only, no network, no secrets in their environment."""
    resolved = scratch.resolve()
    shown = [path.resolve() for path in readable if path.exists()]
    search_path = os.environ.get("PATH", "")

    def environment(inherited: Mapping[str, str]) -> dict[str, str]:
        return {**command_environment(inherited), "HOME": _SANDBOX_HOME, "TMPDIR": _SANDBOX_TMP}

    return Confinement(
        argv=lambda argv, cwd: sandbox_argv(
            bwrap,
            argv,
            worktree,
            writable=[resolved],
            readable=[*shown, *tools_under_tmp(search_path, argv)],
            cwd=cwd,
        ),
        environment=environment,
        scratch=resolved,
    )


async def run_sandboxed(
    argv: Sequence[str],
    *,
    worktree: Path,
    env: Mapping[str, str],
    time_limit: float,
    keep_bytes: int | None,
    sandbox: bool = True,
) -> Completed:
    """Run an agent's command in `worktree`, in the sandbox (or bare, when opted out).

    `env` should come from `command_environment`; HOME is replaced by a throwaway
    directory. Stderr is merged into stdout. SandboxUnavailableError when no sandbox works.
    """
    if sandbox:
        bwrap = await find_bubblewrap()
        # bwrap itself is PID 1 of the sandbox: its own environment must be the clean one.
        return await run_bounded(
            sandbox_argv(
                bwrap, argv, worktree, readable=tools_under_tmp(env.get("PATH", ""), argv)
            ),
            cwd=worktree,
            time_limit=time_limit,
            env={**env, "HOME": _SANDBOX_HOME, "TMPDIR": _SANDBOX_TMP},
            merge_stderr=True,
            keep_bytes=keep_bytes,
        )
    _log.warning(
        'agent command runs WITHOUT a sandbox ([agents] sandbox = "off"): %s', " ".join(argv)
    )
    with tempfile.TemporaryDirectory(prefix="devora-agent-home-") as home:
        return await run_bounded(
            argv,
            cwd=worktree,
            time_limit=time_limit,
            env={**env, "HOME": home},
            merge_stderr=True,
            keep_bytes=keep_bytes,
        )
