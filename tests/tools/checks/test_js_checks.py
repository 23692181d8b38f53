"""The JavaScript/TypeScript checks run the project's own tools on the TypeScript example."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from devora.tools import Level
from devora.tools.checks import (
    CheckStatus,
    EslintCheck,
    NpmAuditCheck,
    NpmTestCheck,
    PrettierCheck,
    TscCheck,
    detect_project,
)


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # CI=true makes the JS tools colour their output; the oracle reads it as plain text.
    env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False, env=env
    )


def _bin(root: Path, name: str) -> str:
    return str(root / "node_modules" / ".bin" / name)


async def test_eslint_finds_the_documented_lint_errors(ts_project: Path, tool_path: str) -> None:
    result = await EslintCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED and result.exit_code == 1
    assert result.tool_version and result.tool_version.startswith("9.")
    found = [(f.rule, f.file, f.line, f.fixable) for f in result.findings]
    assert found == [
        ("no-var", "src/config.ts", 14, True),
        ("prefer-const", "src/config.ts", 15, True),
        ("@typescript-eslint/no-unused-vars", "src/config.ts", 16, False),
        ("@typescript-eslint/no-explicit-any", "src/config.ts", 17, False),
    ]
    assert all(f.level is Level.ERROR for f in result.findings)


async def test_eslint_counts_equal_eslints_own(ts_project: Path, tool_path: str) -> None:
    result = await EslintCheck().run(detect_project(ts_project, search_path=tool_path))
    stylish = _run([_bin(ts_project, "eslint"), "."], ts_project)
    summary = re.search(r"(\d+) problems? \((\d+) errors?, (\d+) warnings?\)", stylish.stdout)
    assert summary is not None
    assert len(result.findings) == int(summary.group(1))
    assert result.count(Level.ERROR) == int(summary.group(2))
    assert result.count(Level.WARNING) == int(summary.group(3))


async def test_eslint_parse_error_is_a_finding(ts_project: Path, tool_path: str) -> None:
    (ts_project / "src" / "broken.ts").write_text("export const x = ;\n")
    result = await EslintCheck().run(detect_project(ts_project, search_path=tool_path))
    parse_errors = [f for f in result.findings if f.rule == "parse-error"]
    assert [(f.file, f.line, f.level) for f in parse_errors] == [("src/broken.ts", 1, Level.ERROR)]


async def test_tsc_finds_the_type_error_and_matches_its_summary(
    ts_project: Path, tool_path: str
) -> None:
    result = await TscCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert [(f.rule, f.file, f.line, f.column) for f in result.findings] == [
        ("TS2322", "src/config.ts", 9, 9)
    ]
    assert "not assignable to type 'number'" in result.findings[0].message
    pretty = _run([_bin(ts_project, "tsc"), "--noEmit", "--pretty", "true"], ts_project)
    summary = re.search(r"Found (\d+) errors?", pretty.stdout)
    assert summary is not None and len(result.findings) == int(summary.group(1))
    assert not (ts_project / "dist").exists()  # --noEmit: nothing written


async def test_tsc_multi_line_diagnostics_stay_one_finding(
    ts_project: Path, tool_path: str
) -> None:
    (ts_project / "src" / "shape.ts").write_text(
        "interface Shape { kind: 'circle'; radius: number }\n"
        "export const s: Shape = { kind: 'square', radius: 1 };\n"
        "export const n: number = 'x';\n"
    )
    result = await TscCheck().run(detect_project(ts_project, search_path=tool_path))
    plain = _run([_bin(ts_project, "tsc"), "--noEmit", "--pretty", "false"], ts_project)
    own = len(re.findall(r"^\S.*: error TS\d+:", plain.stdout, re.MULTILINE))
    assert len(result.findings) == own == 3
    assert {f.file for f in result.findings} == {"src/config.ts", "src/shape.ts"}


async def test_tsc_without_tsconfig_is_not_run(ts_project: Path, tool_path: str) -> None:
    (ts_project / "tsconfig.json").unlink()
    result = await TscCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.NOT_RUN and result.reason == "not run: no tsconfig.json"


async def test_prettier_lists_the_unformatted_file(ts_project: Path, tool_path: str) -> None:
    result = await PrettierCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert [(f.file, f.fixable) for f in result.findings] == [("src/format.ts", True)]
    check = _run([_bin(ts_project, "prettier"), "--check", "."], ts_project)
    warned = re.findall(r"^\[warn\] (?!Code style)(.+)$", check.stderr + check.stdout, re.M)
    assert len(result.findings) == len(warned)


async def test_npm_test_fails_with_the_failing_test(ts_project: Path, tool_path: str) -> None:
    result = await NpmTestCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED and result.exit_code == 1
    assert [(f.rule, f.file) for f in result.findings] == [("test-script", "package.json")]
    assert result.metrics == {"tests": 3, "passed": 2, "failures": 1, "errors": 0, "skipped": 0}
    assert "node --test reported 1 of 3 test(s) failing" in result.findings[0].message
    assert result.output_tail and "# fail 1" in result.output_tail


async def test_npm_test_passes_when_the_tests_pass(ts_project: Path, tool_path: str) -> None:
    stats = ts_project / "src" / "stats.ts"
    stats.write_text(stats.read_text().replace("(values.length + 1)", "values.length"))
    result = await NpmTestCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.PASSED, result.output_tail
    assert result.metrics["failures"] == 0 and result.metrics["passed"] == 3


async def test_npm_test_without_a_test_script_is_not_run(ts_project: Path, tool_path: str) -> None:
    package = json.loads((ts_project / "package.json").read_text())
    del package["scripts"]["test"]
    (ts_project / "package.json").write_text(json.dumps(package))
    result = await NpmTestCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason == "not run: package.json has no test script"


async def test_npm_audit_is_never_passed_without_advisories(
    ts_project: Path, tool_path: str
) -> None:
    result = await NpmAuditCheck().run(detect_project(ts_project, search_path=tool_path))
    own = _run(["npm", "audit", "--json"], ts_project)
    report = json.loads(own.stdout)
    if "vulnerabilities" in report:  # the audit service answered
        assert result.status in {CheckStatus.PASSED, CheckStatus.FAILED}
        assert len(result.findings) == report["metadata"]["vulnerabilities"]["total"]
    else:  # it did not (no network to it): say so, never pass
        assert result.status is CheckStatus.NOT_RUN
        assert result.reason and result.reason.startswith("not run: npm audit could not get")


async def test_npm_audit_without_a_lock_file_is_not_run(ts_project: Path, tool_path: str) -> None:
    (ts_project / "package-lock.json").unlink()
    result = await NpmAuditCheck().run(detect_project(ts_project, search_path=tool_path))
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason and "no package-lock.json" in result.reason


async def test_clean_typescript_project_passes(ts_project: Path, tool_path: str) -> None:
    (ts_project / "src" / "config.ts").write_text(
        "export function parsePort(raw: string): number {\n  return Number(raw);\n}\n"
    )
    (ts_project / "src" / "format.ts").write_text(
        "export function formatLine(name: string, value: number): string {\n"
        "  return `${name}: ${value.toFixed(2)}`;\n}\n"
    )
    profile = detect_project(ts_project, search_path=tool_path)
    for check in (EslintCheck(), TscCheck(), PrettierCheck()):
        result = await check.run(profile)
        assert result.status is CheckStatus.PASSED, result
