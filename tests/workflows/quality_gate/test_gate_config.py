"""The gate's configuration: [tool.devora.quality_gate] in pyproject.toml, or devora.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_projects import make_clean_project

from devora.tools.checks import detect_project
from devora.workflows.quality_gate import GateConfig, GateConfigError, load_gate_config


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return make_clean_project(root)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_no_config_means_the_defaults(project: Path) -> None:
    assert load_gate_config(detect_project(project)) == GateConfig()


def test_pyproject_section(project: Path) -> None:
    append(
        project / "pyproject.toml",
        "\n[tool.devora.quality_gate]\nthreshold = 90\nmin_coverage = 50\n"
        "[tool.devora.quality_gate.weights]\nlint = 5\n"
        '[[tool.devora.quality_gate.budgets]]\npattern = "*.js"\nmax_gzip = 1000\n',
    )
    config = load_gate_config(detect_project(project))
    assert (config.threshold, config.min_coverage, config.weights.lint) == (90, 50, 5)
    assert config.weights.tests == 30  # unset keys keep their defaults
    assert [(b.pattern, b.max_gzip) for b in config.budgets] == [("*.js", 1000)]
    assert config.source == str(project / "pyproject.toml")


def test_devora_toml_wins_over_pyproject(project: Path) -> None:
    append(project / "pyproject.toml", "\n[tool.devora.quality_gate]\nthreshold = 90\n")
    (project / "devora.toml").write_text("[quality_gate]\nthreshold = 70\n", encoding="utf-8")
    config = load_gate_config(detect_project(project))
    assert config.threshold == 70
    assert config.source == str(project / "devora.toml")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[quality_gate]\nthreshold = 'high'\n", "threshold"),
        ("[quality_gate]\nthreshold = 101\n", "threshold"),
        ("[quality_gate.weights]\nlint = -1\n", "weights.lint"),
        ("[quality_gate]\nsource = 'x'\n", "source"),
        ("[quality_gate]\nthreshhold = 80\n", "threshhold"),
        ("quality_gate = 3\n", "quality_gate"),
        ("[quality_gate\n", "syntax"),
        ("[quality_gate.timeouts]\npytset = 60\n", "timeouts"),
        ("[quality_gate.timeouts]\npytest = 0\n", "timeouts"),
    ],
)
def test_a_wrong_config_names_the_file_and_the_key(project: Path, text: str, where: str) -> None:
    (project / "devora.toml").write_text(text, encoding="utf-8")
    with pytest.raises(GateConfigError) as caught:
        load_gate_config(detect_project(project))
    error = caught.value
    assert error.file == str(project / "devora.toml")
    assert where in [problem[0] for problem in error.problems]
    assert error.hint is not None and "docs/quality-gate.md" in error.hint
    assert error.exit_code == 2


def test_a_check_gets_the_time_limit_the_config_gives_it(project: Path) -> None:
    from devora.workflows.quality_gate._categories import checks_named

    (project / "devora.toml").write_text(
        "[quality_gate.timeouts]\npytest = 3600\nmypy = 30\n", encoding="utf-8"
    )
    config = load_gate_config(detect_project(project))
    limits = {
        check.name: getattr(check, "timeout", None)
        for check in checks_named(["pytest", "mypy", "ruff-check"], (), config.timeouts)
    }
    assert limits == {"pytest": 3600, "mypy": 30, "ruff-check": 300}
