"""One analysis of a project: complexity per function, duplication, churn, hotspots, coupling."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools.git import NotAGitRepositoryError, git_output, run_git, split_nul
from devora.tools.metrics._complexity import measure_file, measured_suffix
from devora.tools.metrics._duplication import DEFAULT_MIN_LINES, find_duplicates
from devora.tools.metrics._history import (
    CouplingRules,
    file_churn,
    read_change_sets,
    temporal_coupling,
)
from devora.tools.metrics._jscpd import JSCPD_SUFFIXES, find_script_duplicates
from devora.tools.metrics._models import FileChurn, FunctionMetrics, Hotspot, ProjectAnalysis

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "analyze_project",
    "hotspots",
    "measured_files",
    "repository_root",
]

DEFAULT_WINDOW_DAYS = 365
# Vendored and generated code is not the project's to refactor.
_SKIPPED_PARTS = frozenset({"node_modules", "vendor", "dist", "build", ".venv", "venv"})


async def measured_files(root: Path) -> list[str]:
    """The tracked files the analysis measures, relative to the repository's root."""
    listed = split_nul(await git_output(root, ["ls-files", "-z"]))
    return sorted(
        name
        for name in listed
        if measured_suffix(name)
        and not _SKIPPED_PARTS.intersection(Path(name).parts)
        and (root / name).is_file()
    )


def hotspots(functions: list[FunctionMetrics], churn: list[FileChurn]) -> list[Hotspot]:
    """Files ranked by revisions * complexity (the sum of their functions' complexity)."""
    complexity: defaultdict[str, int] = defaultdict(int)
    for function in functions:
        complexity[function.file] += function.complexity
    spots = [
        Hotspot(
            file=change.file,
            revisions=change.revisions,
            complexity=complexity[change.file],
            score=change.revisions * complexity[change.file],
        )
        for change in churn
        if complexity.get(change.file)
    ]
    return sorted(spots, key=lambda spot: (-spot.score, spot.file))


async def analyze_project(
    path: Path,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_duplicate_lines: int = DEFAULT_MIN_LINES,
    coupling: CouplingRules | None = None,
) -> ProjectAnalysis:
    """Measure the git repository at `path` as committed at HEAD (tracked files only)."""
    root = await repository_root(path)
    head = (await git_output(root, ["rev-parse", "HEAD"])).strip()
    files = await measured_files(root)
    functions, unparsed = await asyncio.to_thread(_measure_all, root, files)
    parsed = [f for f in files if f not in unparsed]
    duplicates = await find_duplicates(root, parsed, min_lines=min_duplicate_lines)
    not_measured: list[str] = []
    unmeasured: list[str] = []
    try:
        duplicates += await find_script_duplicates(root, parsed, min_lines=min_duplicate_lines)
    except ToolNotInstalledError as error:
        unmeasured = [f for f in parsed if Path(f).suffix.lower() in JSCPD_SUFFIXES]
        not_measured.append(
            f"duplication of {len(unmeasured)} TypeScript/JavaScript file(s): "
            f"{error.message} ({error.hint})"
        )
    change_sets = await read_change_sets(root, window_days)
    churn = file_churn(change_sets)
    return ProjectAnalysis(
        root=str(root),
        head=head,
        window_days=window_days,
        functions=tuple(functions),
        duplicates=tuple(duplicates),
        churn=tuple(churn),
        hotspots=tuple(hotspots(functions, churn)),
        couplings=tuple(temporal_coupling(change_sets, coupling)),
        unparsed=tuple(unparsed),
        not_measured=tuple(not_measured),
        duplication_unmeasured=tuple(unmeasured),
    )


async def repository_root(path: Path) -> Path:
    """The top of the git work tree holding `path`, which must have a commit."""
    folder = await asyncio.to_thread(_existing_folder, path)
    found = await run_git(folder, ["rev-parse", "--show-toplevel"], check=False)
    if found.returncode != 0:
        raise NotAGitRepositoryError(folder)
    root = Path(found.stdout.strip())
    if (await run_git(root, ["rev-parse", "--verify", "-q", "HEAD"], check=False)).returncode:
        raise NotAGitRepositoryError(
            root, "no commit yet", hint="commit the project before analysing it"
        )
    return root


def _existing_folder(path: Path) -> Path:
    folder = path.expanduser().resolve()
    if not folder.is_dir():
        raise NotAGitRepositoryError(folder, "no such directory")
    return folder


def _measure_all(root: Path, files: list[str]) -> tuple[list[FunctionMetrics], list[str]]:
    functions: list[FunctionMetrics] = []
    unparsed: list[str] = []
    for name in files:
        try:
            functions.extend(measure_file(root, name))
        except (SyntaxError, ValueError):
            unparsed.append(name)
    return functions, unparsed
