"""Ranking what to refactor from the analysis, steered by the kind of refactoring asked."""

from __future__ import annotations

from collections.abc import Mapping

from devora.tools.metrics import FunctionMetrics, ProjectAnalysis
from devora.workflows.refactoring._inputs import RefactoringKind
from devora.workflows.refactoring._records import Figures, Target

__all__ = ["figures_of", "rank_targets", "target_for"]

COMPLEXITY_GOAL = 10


def figures_of(analysis: ProjectAnalysis, file: str, function: str | None) -> Figures:
    """A function's figures (or a whole file's, summed, when function is None)."""
    functions = [f for f in analysis.functions_in(file) if function is None or f.name == function]
    indices = [f.maintainability for f in functions if f.maintainability is not None]
    return Figures(
        complexity=sum(f.complexity for f in functions),
        maintainability=round(min(indices), 2) if indices else None,
        duplicated_lines=(
            _duplicated_in(analysis, functions) if function else analysis.duplicated_lines(file)
        ),
        lines=sum(f.lines for f in functions),
    )


def _duplicated_in(analysis: ProjectAnalysis, functions: list[FunctionMetrics]) -> int | None:
    if any(f.file in analysis.duplication_unmeasured for f in functions):
        return None
    lines: set[int] = set()
    for function in functions:
        for block in analysis.duplicates:
            for name, first, last in block.places:
                if name == function.file:
                    span = range(max(first, function.line), min(last, function.end_line) + 1)
                    lines.update(span)
    return len(lines)


def _revisions(analysis: ProjectAnalysis) -> dict[str, int]:
    return {churn.file: churn.revisions for churn in analysis.churn}


def target_for(
    analysis: ProjectAnalysis, file: str, function: str | None, kind: RefactoringKind
) -> Target:
    """The target the user named, with its figures and the proposal for its kind."""
    figures = figures_of(analysis, file, function)
    revisions = _revisions(analysis).get(file, 0)
    return Target(
        file=file,
        function=function,
        score=float(figures.complexity * max(revisions, 1)),
        revisions=revisions,
        figures=figures,
        proposal=_proposal(analysis, file, function, figures, revisions, kind),
    )


def rank_targets(
    analysis: ProjectAnalysis,
    kind: RefactoringKind,
    top: int,
    deprecated: Mapping[str, str],
    deprecated_files: list[str],
) -> list[Target]:
    """The `top` targets for this kind of refactoring, best first."""
    if kind is RefactoringKind.MODERNIZE and deprecated:
        described = ", ".join(f"{old} -> {new}" for old, new in sorted(deprecated.items()))
        return [
            target_for(analysis, file, None, kind).model_copy(
                update={
                    "proposal": f"replace deprecated calls ({described})",
                    "codemod": "replace-deprecated",
                }
            )
            for file in deprecated_files[:top]
        ]
    if kind is RefactoringKind.ARCHITECTURE:
        files = sorted(
            {c.file for c in analysis.couplings} | {c.coupled for c in analysis.couplings}
        ) or [spot.file for spot in analysis.hotspots]
        ranked = [target_for(analysis, file, None, kind) for file in files]
        return sorted(ranked, key=lambda t: (-t.score, t.file))[:top]
    revisions = _revisions(analysis)
    candidates = []
    for function in analysis.functions:
        if function.complexity <= 1:
            continue
        target = target_for(analysis, function.file, function.name, kind)
        score = float(function.complexity * max(revisions.get(function.file, 0), 1))
        if kind is RefactoringKind.CLEANUP:
            score *= 1 + (target.figures.duplicated_lines or 0) / max(function.lines, 1)
        candidates.append(target.model_copy(update={"score": round(score, 2)}))
    return sorted(candidates, key=lambda t: (-t.score, t.label))[:top]


def _proposal(
    analysis: ProjectAnalysis,
    file: str,
    function: str | None,
    figures: Figures,
    revisions: int,
    kind: RefactoringKind,
) -> str:
    name = function or file
    if kind is RefactoringKind.ARCHITECTURE:
        partners = [
            (c.coupled if c.file == file else c.file, c.degree)
            for c in analysis.couplings
            if file in (c.file, c.coupled)
        ]
        if partners:
            other, degree = max(partners, key=lambda p: p[1])
            return (
                f"decouple {file} from {other} (they change together, degree {degree}%): "
                "move what they share behind one interface"
            )
        return f"split {file} (complexity {figures.complexity}) into modules of one concept"
    if kind is RefactoringKind.PERFORMANCE:
        return (
            f"make {name} cheaper: complexity {figures.complexity}, changed {revisions} "
            "time(s); hoist work out of its loops, keep its results identical"
        )
    if figures.duplicated_lines:
        return (
            f"remove the {figures.duplicated_lines} duplicated line(s) of {name}: extract the "
            "shared code into one function"
        )
    if figures.complexity > COMPLEXITY_GOAL:
        return (
            f"extract functions from {name} (complexity {figures.complexity}) until each "
            f"part is at most {COMPLEXITY_GOAL}"
        )
    return f"simplify {name} (complexity {figures.complexity}, changed {revisions} time(s))"
