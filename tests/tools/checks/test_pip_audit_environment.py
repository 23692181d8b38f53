"""pip-audit on a project with only setup.py/setup.cfg: its environment is audited, less itself."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devora.tools.checks import CheckStatus, PipAuditCheck, detect_project
from devora.tools.checks._installed import project_name
from devora.tools.checks._profile import ProjectProfile
from devora.tools.pyenv import resolve_environment

# idna 3.6 has a published vulnerability (CVE-2024-3651, fixed in 3.7).
_IDNA_VULN: dict[str, object] = {
    "id": "GHSA-jjg7-2v4v-x38h",
    "summary": "Denial of service via specially crafted inputs to idna.encode()",
    "affected": [{"package": {"name": "idna", "ecosystem": "PyPI"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                              {"fixed": "3.7"}]}]}],
}  # fmt: skip


class _Osv:
    """A local OSV query endpoint: the vulnerabilities it knows, and every query it got."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], list[dict[str, object]]] = {}
        self.queried: list[str] = []
        self.url = ""


@pytest.fixture
def osv() -> Iterator[_Osv]:
    """OSV's query API on 127.0.0.1, answering from `known` (pip-audit's --osv-url)."""
    state = _Osv()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            name, version = query["package"]["name"], query["version"]
            state.queried.append(name)
            vulns = state.known.get((name, version))
            body = json.dumps({"vulns": vulns} if vulns else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


async def _with_environment(root: Path, cache: Path, tool_path: str) -> ProjectProfile:
    profile = detect_project(root, search_path=tool_path)
    environment = await resolve_environment(
        root, profile.pyproject, cache_dir=cache, log=lambda _: None
    )
    assert environment.usable, (environment.problem, environment.output_tail)
    return profile.model_copy(update={"python_env": environment})


@pytest.fixture
def setup_py_project(tmp_path: Path) -> Path:
    """A setup.py-only project (no requirements.txt, no pyproject.toml) needing idna 3.6."""
    root = tmp_path / "legacy"
    (root / "legacy_demo").mkdir(parents=True)
    (root / "legacy_demo" / "__init__.py").write_text("VALUE = 1\n")
    (root / "setup.py").write_text(
        "from setuptools import setup\n"
        'setup(name="devora-legacy-demo", version="0.1", packages=["legacy_demo"],\n'
        '      install_requires=["idna==3.6"])\n'
    )
    return root


@pytest.mark.slow
async def test_a_setup_py_project_has_its_environment_audited(
    setup_py_project: Path, tmp_path: Path, tool_path: str, osv: _Osv
) -> None:
    profile = await _with_environment(setup_py_project, tmp_path / "cache", tool_path)
    check = PipAuditCheck(service="osv", osv_url=osv.url)

    clean = await check.run(profile)
    assert clean.status is CheckStatus.PASSED, clean
    assert clean.metrics["dependencies_audited"] > 0
    assert "idna" in osv.queried
    # The project's own build is left out: PyPI does not know it, and it is not a dependency.
    assert "devora-legacy-demo" not in osv.queried
    (note,) = clean.notes
    assert "audited what is installed in the project's environment" in note
    assert "test dependencies included" in note and "devora-legacy-demo left out" in note

    osv.known[("idna", "3.6")] = [_IDNA_VULN]
    vulnerable = await check.run(profile)
    assert vulnerable.status is CheckStatus.FAILED, vulnerable
    (finding,) = vulnerable.findings
    assert finding.rule == "GHSA-jjg7-2v4v-x38h" and finding.file == "setup.py"
    assert finding.message == "idna 3.6 has GHSA-jjg7-2v4v-x38h (fixed in: 3.7)"


@pytest.mark.slow
async def test_the_real_service_never_reports_the_project_itself(
    setup_py_project: Path, tmp_path: Path, tool_path: str
) -> None:
    profile = await _with_environment(setup_py_project, tmp_path / "cache", tool_path)
    result = await PipAuditCheck().run(profile)
    assert not any("devora-legacy-demo" in note for note in result.notes if "not audited" in note)
    # Where PyPI's vulnerability service answers, the environment is audited; where it does not
    # (a mirror without its per-version JSON), every dependency is skipped: not run, never passed.
    if result.status is CheckStatus.NOT_RUN:
        assert result.reason and "could not audit" in result.reason, result
    else:
        assert result.status in {CheckStatus.PASSED, CheckStatus.FAILED}, result
        assert result.metrics["dependencies_audited"] > 0


@pytest.mark.slow
async def test_a_real_setup_py_sdist_is_audited_without_itself(
    sdist: Path, tmp_path: Path, tool_path: str, osv: _Osv
) -> None:
    root = Path(shutil.copytree(sdist, tmp_path / sdist.name))
    assert not (root / "requirements.txt").exists() and not (root / "pyproject.toml").exists()
    name = project_name(root, {})
    assert name is not None
    profile = await _with_environment(root, tmp_path / "cache", tool_path)
    result = await PipAuditCheck(service="osv", osv_url=osv.url).run(profile)
    assert result.status is CheckStatus.PASSED, result
    assert result.metrics["dependencies_audited"] > 0
    assert name.lower() not in osv.queried


async def test_without_an_environment_setup_py_is_not_run_with_the_reason(
    setup_py_project: Path, tool_path: str
) -> None:
    result = await PipAuditCheck().run(detect_project(setup_py_project, search_path=tool_path))
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason and result.reason.startswith(
        "not run: no requirements.txt or pyproject.toml to audit, and no Python environment"
    )


def test_the_project_name_is_read_never_run(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text('import sys\nsys.exit(1)\nsetup(name="from-setup-py")\n')
    assert project_name(tmp_path, {}) == "from-setup-py"
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = from-setup-cfg\n")
    assert project_name(tmp_path, {}) == "from-setup-cfg"
    assert project_name(tmp_path, {"project": {"name": "from-pyproject"}}) == "from-pyproject"
    (tmp_path / "setup.cfg").write_text("[metadata]\nversion = 1\n")
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    assert project_name(tmp_path, {}) is None
