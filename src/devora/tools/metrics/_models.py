"""The figures of a code analysis, as data: per function, per duplicate block, per file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Coupling",
    "DuplicateBlock",
    "FileChurn",
    "FunctionMetrics",
    "Hotspot",
    "ProjectAnalysis",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FunctionMetrics(_Frozen):
    """One function or method: where it is, its cyclomatic complexity and maintainability."""

    file: str
    name: str  # "function", "Class.method"
    line: int  # 1-based
    end_line: int
    complexity: int
    maintainability: float | None  # radon's MI (0-100) of the function; None for lizard
    lines: int  # lines of code (radon sloc, lizard nloc)
    tool: str  # "radon" or "lizard"


class DuplicateBlock(_Frozen):
    """Lines that occur in several places (pylint's similarity checker): (file, first, last)."""

    lines: int
    places: tuple[tuple[str, int, int], ...]


class FileChurn(_Frozen):
    """How often a file changed in the window: commits, lines added and deleted, authors."""

    file: str
    revisions: int
    added: int
    deleted: int
    authors: int

    @property
    def churn(self) -> int:
        """Lines added plus lines deleted."""
        return self.added + self.deleted


class Hotspot(_Frozen):
    """A file that is both complex and often changed: revisions * complexity."""

    file: str
    revisions: int
    complexity: int
    score: int


class Coupling(_Frozen):
    """Two files that change together, as code-maat's coupling analysis reports them."""

    file: str
    coupled: str
    degree: int  # shared revisions / average revisions, in percent
    shared_revisions: int
    average_revisions: float


class ProjectAnalysis(_Frozen):
    """Everything `analyze_project` measured, and what it could not."""

    root: str
    head: str
    window_days: int
    functions: tuple[FunctionMetrics, ...]
    duplicates: tuple[DuplicateBlock, ...]
    churn: tuple[FileChurn, ...]
    hotspots: tuple[Hotspot, ...]
    couplings: tuple[Coupling, ...]
    unparsed: tuple[str, ...] = ()  # files the analysers could not read (syntax errors)
    # Figures that were not measured, with the reason ("duplication of web/a.ts, …: jscpd is
    # not installed …"), and the files whose duplication is unknown (never zero).
    not_measured: tuple[str, ...] = ()
    duplication_unmeasured: tuple[str, ...] = ()

    def functions_in(self, file: str) -> list[FunctionMetrics]:
        """The functions measured in one file, in source order."""
        return sorted((f for f in self.functions if f.file == file), key=lambda f: f.line)

    def duplicated_lines(self, file: str) -> int | None:
        """Lines of the file that are part of a duplicate block; None when not measured."""
        if file in self.duplication_unmeasured:
            return None
        covered: set[int] = set()
        for block in self.duplicates:
            for name, first, last in block.places:
                if name == file:
                    covered.update(range(first, last + 1))
        return len(covered)
