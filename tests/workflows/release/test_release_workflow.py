"""The release workflow end to end through the real CLI, on real git repositories."""

from __future__ import annotations

from pathlib import Path

from release_repos import GIT_ENV, Project, dumps, finished, git, make_project, run_release

from devora.squads import os_account
from tests.cli.harness import Devora


def test_release_bumps_changelogs_commits_tags_and_pushes(devora: Devora, project: Project) -> None:
    project.commit("fix(cli): exit with 2 on bad input")
    feature = project.commit("feat(api): add the export endpoint")
    project.commit("tidy things up")

    code, run, _ = run_release(
        devora, project, "--version-files", '["pyproject.toml", "src/demo/__init__.py"]'
    )

    assert code == 0, dumps(run)
    assert run["status"] == "succeeded"
    outputs = run["outputs"]
    assert outputs["version"] == "1.1.0" and outputs["previous"] == "1.0.0"
    assert outputs["tag"] == "v1.1.0" and outputs["pushed_to"] == "origin"
    assert len(outputs["non_conventional"]) == 1  # listed, not dropped
    head = project.head()
    assert outputs["commit"] == head
    assert git(project.path, "log", "-1", "--format=%s").strip() == "chore(release): 1.1.0"
    assert git(project.path, "cat-file", "-t", "v1.1.0").strip() == "tag"  # annotated
    assert git(project.path, "rev-parse", "v1.1.0^{commit}").strip() == head
    changed = git(project.path, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["CHANGELOG.md", "pyproject.toml", "src/demo/__init__.py"]
    assert 'version = "1.1.0"' in (project.path / "pyproject.toml").read_text()
    assert '__version__ = "1.1.0"' in (project.path / "src/demo/__init__.py").read_text()
    changelog = (project.path / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n\n## 1.1.0 (")
    assert changelog.index("### Features") < changelog.index("### Bug Fixes")
    assert f"- **api:** add the export endpoint ({feature[:7]})" in changelog
    assert "### Other Changes\n\n- tidy things up" in changelog
    assert project.status() == ""
    remote = project.remote_refs()
    assert remote["refs/heads/main"] == head
    assert git(project.remote, "rev-parse", "v1.1.0^{commit}").strip() == head
    section = devora.home / "artifacts" / run["run_id"] / "CHANGELOG-1.1.0.md"
    assert section.read_text().startswith("## 1.1.0 (")


def test_dry_run_prints_version_changelog_and_diffs_and_changes_nothing(
    devora: Devora, project: Project
) -> None:
    project.commit("feat!: drop the v1 API\n\nBREAKING CHANGE: /v1 is gone")
    before = project.snapshot()

    plain = devora("run", "release", str(project.path), "--dry-run", timeout=120, **GIT_ENV)
    code, run, _ = run_release(devora, project, "--dry-run")

    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "next version 1.0.0 -> 2.0.0" in plain.stdout
    assert "+## 2.0.0 (" in plain.stdout
    assert "+### ⚠ BREAKING CHANGES" in plain.stdout
    assert '-version = "1.0.0"' in plain.stdout and '+version = "2.0.0"' in plain.stdout
    assert "would push main and tag v2.0.0 to origin" in plain.stdout
    assert code == 0 and run["dry_run"] is True
    plans = run["plans"]
    assert set(plans) == {"changelog", "tag", "publish"}
    assert plans["tag"]["details"]["files"]["pyproject.toml"].startswith("--- a/pyproject.toml")
    assert "/v1 is gone" in plans["changelog"]["details"]["section"]
    assert project.snapshot() == before  # no file, no ref, no push


def test_a_rejected_push_rolls_back_tag_commit_and_changelog(
    devora: Devora, project: Project
) -> None:
    project.commit("feat: something new")
    project.reject_pushes()
    before = project.snapshot()

    code, run, stdout = run_release(devora, project)

    assert code == 1, dumps(run)
    assert run["status"] == "rolled_back"
    assert run["error"]["step"] == "publish"
    assert "pre-receive hook declined" in run["error"]["message"]
    assert project.snapshot() == before
    assert "undone: delete local tag: deleted tag v1.1.0" in stdout
    assert "undone: reset release commit: reset main from" in stdout


def test_a_failure_after_publishing_pushes_a_revert_and_deletes_the_remote_tag(
    devora: Devora, project: Project, tmp_path: Path
) -> None:
    """A workflow that extends the release with a deployment that fails after the push."""
    extended = tmp_path / "release_and_deploy.py"
    extended.write_text(
        "from devora.engine import Step, Workflow\n"
        "from devora.errors import StepError\n"
        "from devora.workflows import register_command_line\n"
        "from devora.workflows.release import ReleaseInputs, release_steps\n\n"
        "def deploy(ctx):\n"
        "    raise StepError('deployment failed: the health check never passed')\n\n"
        "release_and_deploy = Workflow('release_and_deploy', [*release_steps,\n"
        "    Step('deploy', deploy, needs=['publish'])], inputs=ReleaseInputs)\n"
        "register_command_line(release_and_deploy, positional=('path',))\n",
        encoding="utf-8",
    )
    project.commit("fix: a bug")
    before = project.snapshot()

    result = devora(
        "run",
        f"{extended}:release_and_deploy",
        str(project.path),
        "--json",
        timeout=120,
        **GIT_ENV,
    )

    run = finished(result.stdout, result.stderr)
    assert result.returncode == 1 and run["status"] == "rolled_back", dumps(run)
    head = project.head()
    revert = git(project.path, "log", "-1", "--format=%B").strip()
    assert revert.startswith('Revert "chore(release): 1.0.1"')
    assert project.remote_refs()["refs/heads/main"] == head  # the revert was pushed
    assert "refs/tags/v1.0.1" not in project.remote_refs()
    assert "refs/tags/v1.0.1" not in project.refs()
    assert project.files() == before["files"]  # the revert restores every file
    assert project.status() == ""
    assert "undone: delete remote tag: deleted tag v1.0.1 on origin" in result.stdout
    assert "undone: revert pushed commit: pushed" in result.stdout
    assert "undone: reset release commit: kept" in result.stdout


def test_approval_gate_waits_before_publishing(devora: Devora, project: Project) -> None:
    project.commit("feat: gated")
    pushed_before = project.remote_refs()

    code, run, _ = run_release(devora, project, "--require-approval")

    assert code == 3 and run["status"] == "waiting", dumps(run)
    assert "publish" in run["waiting"]
    assert git(project.path, "tag", "--list", "v1.1.0").strip() == "v1.1.0"
    assert project.remote_refs() == pushed_before  # nothing pushed while waiting

    approved = devora("approve", run["run_id"], "publish", timeout=120, **GIT_ENV)

    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert project.remote_refs()["refs/heads/main"] == project.head()
    assert "refs/tags/v1.1.0" in project.remote_refs()


def test_a_rejected_approval_rolls_the_release_back(devora: Devora, project: Project) -> None:
    project.write("devora.toml", '[release]\napproval = "devops"\n')  # configured, no flag
    project.commit("feat: not now", "devora.toml")
    before = project.snapshot()
    code, run, _ = run_release(devora, project)
    assert code == 3, dumps(run)

    rejected = devora(
        "reject",
        run["run_id"],
        "publish",
        "--comment",
        "freeze week",
        timeout=120,
        **GIT_ENV,
    )

    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert f"publishing v1.1.0 was rejected by {os_account()}: freeze week" in rejected.stdout
    assert project.snapshot() == before


def test_overrides_prerelease_increment_and_explicit_version(
    devora: Devora, project: Project
) -> None:
    project.commit("fix: small")

    code, run, _ = run_release(devora, project, "--prerelease", "rc", "--increment", "minor")
    assert code == 0, dumps(run)
    assert run["outputs"]["version"] == "1.1.0-rc.0"

    project.commit("fix: another")
    code, run, _ = run_release(devora, project, "--version", "2.0.0", "--no-push")
    assert code == 0, dumps(run)
    assert run["outputs"]["version"] == "2.0.0" and run["outputs"]["pushed_to"] is None
    assert "refs/tags/v2.0.0" in project.refs()
    assert "refs/tags/v2.0.0" not in project.remote_refs()


def test_first_release_of_an_untagged_repository(devora: Devora, tmp_path: Path) -> None:
    project = make_project(tmp_path, version="0.0.0", tagged=False)
    project.commit("feat: the first feature")

    code, run, _ = run_release(devora, project)

    assert code == 0, dumps(run)
    assert run["outputs"]["previous"] is None
    assert run["outputs"]["version"] == "0.1.0"


def test_the_quality_gate_runs_as_a_child_run_before_tagging(
    devora: Devora, project: Project
) -> None:
    # A test that imports the package, so the gate's coverage condition holds wherever
    # pytest and coverage are found.
    pyproject = (project.path / "pyproject.toml").read_text(encoding="utf-8")
    project.write(
        "pyproject.toml", pyproject + '\n[tool.pytest.ini_options]\npythonpath = ["src"]\n'
    )
    project.write(
        "tests/test_demo.py",
        "from demo import __version__\n\n\ndef test_demo() -> None:\n    assert __version__\n",
    )
    project.commit("test: cover the demo", "tests/test_demo.py", "pyproject.toml")
    project.commit("feat: checked")

    code, run, stdout = run_release(devora, project, "--quality-gate", "--no-push")

    assert code == 0, dumps(run)
    child = f"{run['run_id']}.quality"
    assert f'"run_id":"{child}"' in stdout  # the gate ran as a child run of the release
    assert run["outputs"]["tag"] == "v1.1.0"


def test_a_failing_quality_gate_stops_the_release_and_restores_the_changelog(
    devora: Devora, project: Project
) -> None:
    project.commit("feat: untested")  # no tests at all: the gate's score is under its threshold
    before = project.snapshot()

    code, run, stdout = run_release(devora, project, "--quality-gate")

    assert code == 1 and run["status"] == "rolled_back", dumps(run)
    assert run["error"]["step"] == "quality"
    assert "quality-gate" in run["error"]["message"]
    assert "undone: restore files: restored CHANGELOG.md" in stdout
    assert project.snapshot() == before


def test_a_commit_refused_by_a_hook_leaves_nothing_staged_or_written(
    devora: Devora, project: Project
) -> None:
    project.commit("feat: hooked")
    hook = project.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = project.snapshot()

    code, run, _ = run_release(devora, project)

    assert code == 1 and run["status"] == "rolled_back", dumps(run)
    assert run["error"]["step"] == "tag"
    assert "lint failed" in run["error"]["message"]
    assert project.snapshot() == before


def test_an_undo_that_would_destroy_later_work_refuses_and_says_so(
    devora: Devora, project: Project
) -> None:
    project.commit("feat: waits for approval")
    code, run, _ = run_release(devora, project, "--require-approval")
    assert code == 3, dumps(run)
    later = project.commit("fix: work done while the release waited")

    rejected = devora("reject", run["run_id"], "publish", "--comment", "no", timeout=120, **GIT_ENV)

    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert f"run {run['run_id']} rollback_failed" in rejected.stdout
    assert project.head() == later  # the later commit is kept
    assert "refs/tags/v1.1.0" not in project.refs()
    assert project.status() == ""  # no half-restored file either
    assert "HEAD has moved on" in rejected.stdout
    assert "kept CHANGELOG.md: it is committed in" in rejected.stdout
