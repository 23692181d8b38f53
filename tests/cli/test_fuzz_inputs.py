"""Fuzzing the real `devora` entry point's input parsing: no traceback ever reaches the user.

Whatever `-i NAME=VALUE` pairs, `--inputs` files or option values it is given, `devora run`
either runs, or exits 2 with one `Error:` line and a hint, having recorded no run.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devora.cli import main
from devora.store import open_store

WORKFLOW = """
from pydantic import BaseModel
from devora.engine import Step, Workflow

class Inputs(BaseModel):
    count: int = 1
    ratio: float = 0.5
    flag: bool = False
    name: str | None = None
    tags: list[str] = []
    limits: dict[str, int] = {}

async def echo(ctx) -> dict:
    return ctx.inputs.model_dump()

flow = Workflow("echo", [Step("echo", echo)], inputs=Inputs)
"""

FIELDS = ["count", "ratio", "flag", "name", "tags", "limits"]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)
nested = st.integers(min_value=0, max_value=3000).map(lambda n: "[" * n + "]" * n)
value_texts = (
    st.text(max_size=20)
    | json_values.map(json.dumps)
    | nested
    | st.sampled_from(["[", "{", "{]", "1e999", "-0", "nan", "true", "no", "\x00", "=", "[1,"])
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DEVORA_DATABASE_URL", "DEVORA_CONFIG", "DEVORA_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEVORA_HOME", str(tmp_path / ".devora"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "echo.py").write_text(WORKFLOW)
    return tmp_path


def run_devora(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> None:
    """Run `devora run echo.py:flow ARGS` in this process and check how it ended."""
    before = _run_count(project)
    code = main(["run", f"{project / 'echo.py'}:flow", "--json", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    if code == 0:
        assert _run_count(project) == before + 1
        return
    assert code == 2, (code, out, err)
    assert err.startswith(("Error: ", "Usage: ")), err
    assert "Hint: " in err or "Try 'devora run --help'" in err, err
    assert _run_count(project) == before, "a refused input recorded a run"


def _run_count(project: Path) -> int:
    if not (project / ".devora" / "devora.db").exists():
        return 0
    with open_store(home=project / ".devora") as store:
        return len(store.list_runs(limit=10_000))


@FUZZ
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from([*FIELDS, "unknown", " ", ""]), value_texts), max_size=4
    ),
    bare=st.lists(st.text(max_size=6), max_size=1),
)
def test_i_pairs(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    pairs: list[tuple[str, str]],
    bare: list[str],
) -> None:
    args: list[str] = []
    for name, value in pairs:
        args += ["-i", f"{name}={value}"]
    for word in bare:
        args += ["-i", word]
    run_devora(capsys, project, *args)


@FUZZ
@given(name=st.sampled_from(FIELDS), value=value_texts)
def test_options_after_the_workflow(
    capsys: pytest.CaptureFixture[str], project: Path, name: str, value: str
) -> None:
    run_devora(capsys, project, f"--{name}", value)


def _yaml_texts() -> st.SearchStrategy[str]:
    anchors = st.sampled_from(
        [
            "count: &a [*a]\n",
            "tags: !!python/object:os.system [echo]\n",
            "a: &a [1]\nb: [*a, *a]\n",
            "count: 2\ncount: 3\n",
            "? [1, 2]\n: 3\n",
            "name: !!binary aGVsbG8=\n",
            "limits: {a: 1, a: 2}\n",
            "%YAML 9.9\n---\ncount: 1\n",
            "---\ncount: 1\n---\ncount: 2\n",
        ]
    )
    mappings = st.dictionaries(st.sampled_from([*FIELDS, "x"]), json_values, max_size=4)
    return anchors | mappings.map(json.dumps) | st.text(string.printable, max_size=60)


@FUZZ
@given(
    content=st.binary(max_size=200).map(lambda b: ("bytes", b))
    | _yaml_texts().map(lambda t: ("text", t))
    | nested.map(lambda t: ("text", '{"tags": ' + t + "}")),
    suffix=st.sampled_from([".json", ".yaml", ".yml", ""]),
)
def test_inputs_files(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    content: tuple[str, Any],
    suffix: str,
) -> None:
    path = project / f"inputs{suffix}"
    kind, data = content
    if kind == "bytes":
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    run_devora(capsys, project, "--inputs", str(path))


def test_a_self_referencing_yaml_anchor_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    path = project / "inputs.yaml"
    path.write_text("tags: &a [*a]\n")
    assert main(["run", f"{project / 'echo.py'}:flow", "--inputs", str(path)]) == 2
    err = capsys.readouterr().err
    assert "input 'tags' is nested more than 32 levels deep" in err and "Hint: " in err


@pytest.mark.parametrize("where", ["-i", "--inputs"])
def test_deeply_nested_json_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], project: Path, where: str
) -> None:
    deep = '{"tags": ' + "[" * 100_000 + "]" * 100_000 + "}"
    if where == "--inputs":
        (project / "deep.json").write_text(deep)
        args = ["--inputs", str(project / "deep.json")]
    else:
        args = ["-i", "tags=" + "[" * 100_000]
    assert main(["run", f"{project / 'echo.py'}:flow", *args]) == 2
    err = capsys.readouterr().err
    assert "nested more than 32 levels deep" in err and "Hint: " in err
    assert _run_count(project) == 0
