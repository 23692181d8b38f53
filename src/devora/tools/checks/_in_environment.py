"""Checks that run inside the project's Python environment (pytest, mypy).

The gate resolves the environment once (devora.tools.pyenv) and puts it on the profile;
these checks then run `python -m TOOL` with its interpreter, from the project's root, with
the project's sources first on the path. A profile without an environment (the check
adapters used as a library) keeps the tools found on the search path.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from devora.tools.checks._base import ToolCheck
from devora.tools.checks._profile import ProjectProfile
from devora.tools.checks._result import CheckResult, CheckStatus

__all__ = ["EnvironmentCheck", "environment_variables", "module_command"]


class EnvironmentCheck(ToolCheck):
    """A tool check whose tool runs with the interpreter of the project's environment.

    `requires` names the modules that must be installed there: a project environment
    without them is a not-run check whose reason says how to install them, never a
    silent fall back to Devora's own tools.
    """

    requires: ClassVar[tuple[str, ...]] = ()

    def executable(self, profile: ProjectProfile) -> Path | None:
        """The environment's interpreter when it has the tool, else the tool found on the path."""
        environment = profile.python_env
        if environment is not None and environment.has(self.tool):
            return environment.python
        return profile.tool(self.tool)

    async def run(self, profile: ProjectProfile) -> CheckResult:
        """Run in the project's environment; say which one, or why it could not be used."""
        environment = profile.python_env
        if environment is None:
            return await super().run(profile)
        described = environment.describe()
        if not environment.usable:
            return self._not_run(
                f"not run: no Python environment for the project: {environment.problem}",
                described,
                environment.output_tail,
            )
        missing = [name for name in self.requires if not environment.has(name)]
        if missing:
            return self._not_run(
                f"not run: {' and '.join(missing)} not installed in the project's environment "
                f"{described} (Hint: {environment.install_hint(*missing)})",
                described,
            )
        result = await super().run(profile)
        version = environment.modules.get(self.tool, result.tool_version)
        return result.model_copy(update={"environment": described, "tool_version": version})

    def _not_run(self, reason: str, described: str, output_tail: str | None = None) -> CheckResult:
        return CheckResult(
            name=self.name,
            tool=self.tool,
            status=CheckStatus.NOT_RUN,
            reason=reason,
            output_tail=output_tail,
            environment=described,
        )


def module_command(profile: ProjectProfile, module: str, executable: Path) -> list[str]:
    """How to start a Python tool: `python -m MODULE` in the environment, else its script."""
    environment = profile.python_env
    if environment is not None and environment.python is not None and environment.has(module):
        return [str(environment.python), "-m", module]
    return [str(executable)]


def environment_variables(profile: ProjectProfile) -> dict[str, str]:
    """The variables a tool run in the project's environment needs.

    The project's sources come first on the path (its src/ when it has one), so `import pkg`
    finds them rather than a copy installed in the environment; PYTHONPATH inherited from
    whoever started Devora is replaced, not extended.
    """
    environment = profile.python_env
    if environment is None or environment.prefix is None:
        return {}
    sources = profile.root / "src"
    return {
        "PYTHONPATH": str(sources if sources.is_dir() else profile.root),
        "VIRTUAL_ENV": str(environment.prefix),
    }
