"""Code metrics for refactoring: complexity and maintainability per function (radon, lizard),
duplication (pylint's similarity checker for Python, jscpd for TypeScript/JavaScript), churn
and temporal coupling from git history, and hotspots (revisions * complexity), as code-maat
computes them.

    analysis = await analyze_project(Path("."), window_days=365)
    analysis.hotspots[0].file
"""

from devora.tools.metrics._analyze import (
    DEFAULT_WINDOW_DAYS,
    analyze_project,
    hotspots,
    measured_files,
    repository_root,
)
from devora.tools.metrics._complexity import (
    LIZARD_SUFFIXES,
    REFACTOR_INSTALL,
    measure_file,
    measured_suffix,
)
from devora.tools.metrics._duplication import (
    DEFAULT_MIN_LINES,
    find_duplicates,
    parse_symilar_report,
)
from devora.tools.metrics._history import (
    ChangeSet,
    CouplingRules,
    file_churn,
    read_change_sets,
    temporal_coupling,
)
from devora.tools.metrics._jscpd import (
    JSCPD_SCRIPT,
    JSCPD_SUFFIXES,
    find_script_duplicates,
    jscpd_command,
    parse_jscpd_report,
)
from devora.tools.metrics._models import (
    Coupling,
    DuplicateBlock,
    FileChurn,
    FunctionMetrics,
    Hotspot,
    ProjectAnalysis,
)

__all__ = [
    "DEFAULT_MIN_LINES",
    "DEFAULT_WINDOW_DAYS",
    "JSCPD_SCRIPT",
    "JSCPD_SUFFIXES",
    "LIZARD_SUFFIXES",
    "REFACTOR_INSTALL",
    "ChangeSet",
    "Coupling",
    "CouplingRules",
    "DuplicateBlock",
    "FileChurn",
    "FunctionMetrics",
    "Hotspot",
    "ProjectAnalysis",
    "analyze_project",
    "file_churn",
    "find_duplicates",
    "find_script_duplicates",
    "hotspots",
    "jscpd_command",
    "measure_file",
    "measured_files",
    "measured_suffix",
    "parse_jscpd_report",
    "parse_symilar_report",
    "read_change_sets",
    "repository_root",
    "temporal_coupling",
]
