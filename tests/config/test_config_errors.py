"""A configuration file Devora cannot use is one clear ConfigError (exit 2), never a traceback.

Fuzzed through the real `devora config` entry point: any bytes in devora.toml or in
pyproject.toml's [tool.devora] either load or give `Error:` + `Hint:` and exit 2.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devora.cli import main
from devora.config import ConfigError, load_config

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

TOML_LINES = st.sampled_from(
    [
        "[llm]",
        "[squads]",
        "[squads.qa]",
        "[agents]",
        "[tool]",
        "[tool.devora]",
        "[tool.devora.llm]",
        "tool = 3",
        "llm = 3",
        "llm = []",
        'model = "openai:gpt-4o"',
        "max_tokens = -1",
        "max_tokens = 1e999",
        'sandbox = "off"',
        "request_timeout = 0",
        "prices = 7",
        'devora = "x"',
        "a = " + "[" * 3000 + "]" * 3000,
        "x = 1979-05-27T07:32:00Z",
    ]
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DEVORA_DATABASE_URL", "DEVORA_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEVORA_HOME", str(tmp_path / ".devora"))
    monkeypatch.setenv("DEVORA_MODEL", "openai:gpt-4o-mini")  # overrides meet odd tables
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_devora_config(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code != 0:
        assert code == 2, (code, err)
        assert err.startswith("Error: invalid Devora configuration in "), err
        assert "Hint: " in err


@FUZZ
@given(
    content=st.binary(max_size=300).map(lambda b: b)
    | st.lists(TOML_LINES, max_size=6).map(lambda lines: "\n".join(lines).encode())
    | st.text(string.printable, max_size=80).map(str.encode),
    file=st.sampled_from(["devora.toml", "pyproject.toml"]),
)
def test_any_config_bytes_load_or_give_one_clear_error(
    capsys: pytest.CaptureFixture[str], project: Path, content: bytes, file: str
) -> None:
    for name in ("devora.toml", "pyproject.toml"):
        (project / name).unlink(missing_ok=True)
    (project / file).write_bytes(content)
    check_devora_config(capsys)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8 text"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b"llm = 3\n", "llm: Input should be a valid dictionary"),
        (b"[llm\n", "not valid TOML"),
    ],
)
def test_a_broken_devora_toml_names_the_file_and_the_problem(
    project: Path, content: bytes, problem: str
) -> None:
    (project / "devora.toml").write_bytes(content)
    with pytest.raises(ConfigError, match=problem) as raised:
        load_config(project)
    assert "devora.toml" in raised.value.message and raised.value.hint


def test_a_pyproject_whose_tool_is_not_a_table_has_no_devora_section(project: Path) -> None:
    (project / "pyproject.toml").write_text("tool = 3\n")
    assert load_config(project).source is None
