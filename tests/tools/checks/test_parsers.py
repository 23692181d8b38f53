"""The parsers on outputs the real tools print in cases the example projects do not reach."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devora.tools import Level
from devora.tools.checks import (
    ToolOutputError,
    parse_bandit_json,
    parse_coverage_json,
    parse_eslint_json,
    parse_junit_xml,
    parse_mypy_json,
    parse_npm_audit_json,
    parse_pip_audit_json,
    parse_prettier_list,
    parse_ruff_format_json,
    parse_ruff_format_text,
    parse_ruff_json,
    parse_tsc_output,
    relative_file,
)

ROOT = Path("/project")


def test_tsc_global_and_continued_diagnostics() -> None:
    text = (
        "error TS5023: Unknown compiler option 'strictest'.\n"
        "src/a.ts(3,7): error TS2322: Type '{ kind: \"square\"; }' is not assignable to type "
        "'Shape'.\n"
        "  Object literal may only specify known properties.\n"
        "/project/src/b.ts(10,1): warning TS6133: 'x' is declared but its value is never read.\n"
    )
    findings = parse_tsc_output(text, ROOT)
    assert [(f.rule, f.file, f.line, f.column, f.level) for f in findings] == [
        ("TS5023", None, None, None, Level.ERROR),
        ("TS2322", "src/a.ts", 3, 7, Level.ERROR),
        ("TS6133", "src/b.ts", 10, 1, Level.WARNING),
    ]
    assert findings[1].message.endswith("\nObject literal may only specify known properties.")


def test_ruff_format_text_output_of_older_ruff() -> None:
    text = "Would reformat: src/a.py\nWould reformat: /project/b.py\n2 files would be reformatted\n"
    findings = parse_ruff_format_text(text, ROOT)
    assert [(f.file, f.fixable) for f in findings] == [("src/a.py", True), ("b.py", True)]


def test_ruff_syntax_error_and_unsafe_fix() -> None:
    text = json.dumps(
        [
            {
                "code": None,
                "message": "SyntaxError: Expected an expression",
                "filename": "/project/a.py",
                "location": {"row": 1, "column": 5},
                "end_location": {"row": 1, "column": 6},
                "fix": None,
            },
            {
                "code": "F841",
                "message": "Local variable `x` is assigned to but never used",
                "filename": "/project/a.py",
                "location": {"row": 3, "column": 5},
                "end_location": {"row": 3, "column": 6},
                "fix": {"applicability": "unsafe", "edits": [], "message": "Remove"},
            },
        ]
    )
    findings = parse_ruff_json(text, ROOT)
    assert [(f.rule, f.fixable) for f in findings] == [("syntax-error", False), ("F841", False)]


def test_eslint_fatal_message_and_warning() -> None:
    report = parse_eslint_json(
        json.dumps(
            [
                {
                    "filePath": "/project/src/a.js",
                    "messages": [
                        {"fatal": True, "severity": 2, "message": "Parsing error: x", "line": 2},
                        {"ruleId": "no-console", "severity": 1, "message": "Unexpected console"},
                    ],
                    "errorCount": 1,
                    "warningCount": 1,
                    "output": "fixed text",
                }
            ]
        ),
        ROOT,
    )
    assert [(f.rule, f.level) for f in report.findings] == [
        ("parse-error", Level.ERROR),
        ("no-console", Level.WARNING),
    ]
    assert (report.errors, report.warnings, report.fixed) == (1, 1, ["src/a.js"])


def test_npm_audit_v2_report() -> None:
    data = {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "lodash": {
                "name": "lodash",
                "severity": "high",
                "via": [
                    {
                        "source": 1094499,
                        "title": "Prototype Pollution in lodash",
                        "url": "https://github.com/advisories/GHSA-p6mc-m468-83gw",
                        "severity": "high",
                    }
                ],
                "range": "<4.17.19",
                "fixAvailable": True,
            },
            "wrapper": {
                "name": "wrapper",
                "severity": "moderate",
                "via": ["lodash"],
                "range": "1.x",
                "fixAvailable": False,
            },
        },
        "metadata": {"vulnerabilities": {"high": 1, "moderate": 1, "total": 2}},
    }
    findings, total = parse_npm_audit_json(data)
    assert total == len(findings) == 2
    assert findings[0].rule == "https://github.com/advisories/GHSA-p6mc-m468-83gw"
    assert findings[0].level is Level.ERROR and findings[0].fixable
    assert findings[1].message == "wrapper 1.x: through lodash"
    assert findings[1].level is Level.WARNING and findings[1].severity == "moderate"


def test_junit_with_several_suites() -> None:
    xml = (
        '<testsuites><testsuite tests="2" failures="0" errors="1" skipped="1">'
        '<testcase classname="tests.test_a" name="test_x" file="tests/test_a.py" line="4">'
        "<error message=\"fixture 'db' not found\">E fixture not found</error></testcase>"
        '<testcase classname="tests.test_a" name="test_y"><skipped/></testcase>'
        "</testsuite></testsuites>"
    )
    report = parse_junit_xml(xml, ROOT)
    assert (report.tests, report.failures, report.errors, report.skipped) == (2, 0, 1, 1)
    assert [(f.rule, f.file, f.line) for f in report.findings] == [
        ("test-error", "tests/test_a.py", 5)
    ]
    assert report.findings[0].message == "tests/test_a.py::test_x: fixture 'db' not found"


def test_junit_names_class_methods_and_survives_empty_messages() -> None:
    xml = (
        '<testsuite tests="1" failures="1" errors="0" skipped="0">'
        '<testcase classname="tests.test_a.TestCart" name="test_total" file="tests/test_a.py" '
        'line="9"><failure message=" "/></testcase></testsuite>'
    )
    (finding,) = parse_junit_xml(xml, ROOT).findings
    assert finding.message == "tests/test_a.py::TestCart::test_total: failure"
    assert finding.line == 10


def test_bandit_scan_errors_become_notes() -> None:
    text = json.dumps(
        {"results": [], "errors": [{"filename": "bad.py", "reason": "syntax error while parsing"}]}
    )
    findings, notes = parse_bandit_json(text, ROOT)
    assert findings == [] and notes == ["bandit could not scan bad.py: syntax error while parsing"]


@pytest.mark.parametrize(
    "parse",
    [
        lambda t: parse_ruff_json(t, ROOT),
        lambda t: parse_ruff_format_json(t, ROOT),
        lambda t: parse_mypy_json(t, ROOT),
        lambda t: parse_bandit_json(t, ROOT),
        lambda t: parse_eslint_json(t, ROOT),
        lambda t: parse_tsc_output(t, ROOT),
        lambda t: parse_prettier_list(t, ROOT),
        lambda t: parse_pip_audit_json(t, "requirements.txt"),
        lambda t: parse_junit_xml(t, ROOT),
        parse_coverage_json,
        lambda t: parse_npm_audit_json(json.loads(t) if t.startswith("{") else {"x": t}),
    ],
)
@pytest.mark.parametrize("text", ["Traceback (most recent call last): boom", '{"unexpected": 1}'])
def test_garbage_is_an_output_error_never_an_empty_result(parse: object, text: str) -> None:
    with pytest.raises(ToolOutputError):
        parse(text)  # type: ignore[operator]


def test_relative_file_keeps_outside_paths() -> None:
    assert relative_file("/project/src/a.py", ROOT) == "src/a.py"
    assert relative_file("./src/a.py", ROOT) == "src/a.py"
    assert relative_file("/elsewhere/a.py", ROOT) == "/elsewhere/a.py"
