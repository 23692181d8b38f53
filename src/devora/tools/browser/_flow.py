"""A user's path through a web application as data, played in a real browser.

    flow = [Visit(path="/signup"), Fill(selector="#email", value="a@b.c"),
            Click(selector="button[type=submit]"), ExpectText(text="Welcome")]
    result = await play_flow("http://127.0.0.1:8000", flow, screenshot=out / "failed.png")

Every action is recorded with its outcome; the first one that fails stops the flow, and
the page's address, the end of its text and a screenshot are kept as the evidence.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from devora.errors import DevoraError
from devora.tools._subprocess import tail
from devora.tools.browser._chromium import open_chromium

__all__ = [
    "BrowserAction",
    "Click",
    "ExpectText",
    "Fill",
    "FlowResult",
    "FlowStepResult",
    "Hook",
    "Visit",
    "play_flow",
]

DEFAULT_WAIT_MS = 10_000


class Visit(BaseModel):
    """Open a path of the application."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["visit"] = "visit"
    path: str

    def describe(self) -> str:
        """One line for the record."""
        return f"visit {self.path}"


class Fill(BaseModel):
    """Type a value into every field the CSS selector finds (a checkbox is checked when the
    value is `on`, `true` or `1`; a select takes the option with that value or label)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["fill"] = "fill"
    selector: str
    value: str
    secret: bool = False

    def describe(self) -> str:
        """One line for the record (a secret value is not shown)."""
        return f"fill {self.selector} with {'***' if self.secret else repr(self.value)}"


class Click(BaseModel):
    """Click what the selector finds and wait for the page that follows to load."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["click"] = "click"
    selector: str

    def describe(self) -> str:
        """One line for the record."""
        return f"click {self.selector}"


class ExpectText(BaseModel):
    """The page shows this text (within the selector's element, the body by default)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["expect_text"] = "expect_text"
    text: str
    selector: str = "body"

    def describe(self) -> str:
        """One line for the record."""
        return f"see {self.text!r} in {self.selector}"


class Hook(BaseModel):
    """Run the caller's coroutine `name` between two actions (a step outside the browser,
    such as granting the new account a role); the page stays as it is."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["hook"] = "hook"
    name: str

    def describe(self) -> str:
        """One line for the record."""
        return f"run {self.name}"


BrowserAction = Annotated[Visit | Fill | Click | ExpectText | Hook, Field(discriminator="kind")]
Action = Visit | Fill | Click | ExpectText | Hook
HookFunction = Callable[[], Awaitable[None]]


class FlowStepResult(BaseModel):
    """One action and how it went."""

    model_config = ConfigDict(frozen=True)
    action: str
    ok: bool
    error: str | None = None
    url: str | None = None
    seconds: float = 0.0


class FlowResult(BaseModel):
    """The whole flow: each action's outcome, and the evidence when one failed."""

    model_config = ConfigDict(frozen=True)
    base_url: str
    browser: str
    steps: tuple[FlowStepResult, ...]
    page_text_tail: str | None = None
    screenshot: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every action of the flow succeeded."""
        return all(step.ok for step in self.steps)

    @property
    def failure(self) -> FlowStepResult | None:
        """The action that failed, if one did."""
        return next((step for step in self.steps if not step.ok), None)


async def play_flow(
    base_url: str,
    actions: Sequence[Action],
    *,
    screenshot: Path | None = None,
    wait_ms: int = DEFAULT_WAIT_MS,
    hooks: Mapping[str, HookFunction] | None = None,
) -> FlowResult:
    """Play the actions in one page of a headless Chromium; stop at the first that fails.

    A Hook action awaits `hooks[name]`; an exception it raises fails that action."""
    from playwright.async_api import Error as PlaywrightError

    started = time.monotonic()
    done: list[FlowStepResult] = []
    page_text: str | None = None
    shot: str | None = None
    async with open_chromium() as browser:
        version = browser.version
        page = await browser.new_page()
        page.set_default_timeout(wait_ms)
        for action in actions:
            began = time.monotonic()
            try:
                if isinstance(action, Hook):
                    await _call_hook(hooks or {}, action.name)
                else:
                    await _perform(page, base_url, action)
            except (PlaywrightError, AssertionError, HookFailedError) as error:
                message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                done.append(_step(action, page.url, began, message))
                page_text = tail(await page.inner_text("body"), 15) if page.url else None
                if screenshot is not None:
                    await page.screenshot(path=str(screenshot), full_page=True)
                    shot = str(screenshot)
                break
            done.append(_step(action, page.url, began, None))
    return FlowResult(
        base_url=base_url,
        browser=f"chromium {version}",
        steps=tuple(done),
        page_text_tail=page_text,
        screenshot=shot,
        seconds=round(time.monotonic() - started, 3),
    )


class HookFailedError(DevoraError):
    """A hook of the flow raised: the flow stops there (and the result says where)."""

    code = "browser_hook_failed"
    default_hint = "the hook is the caller's code run between two browser actions: see its error"


async def _call_hook(hooks: Mapping[str, HookFunction], name: str) -> None:
    hook = hooks.get(name)
    if hook is None:
        raise HookFailedError(f"no hook named {name!r}")
    try:
        await hook()
    except Exception as error:
        raise HookFailedError(str(error) or type(error).__name__) from error


def _step(action: Action, url: str, began: float, error: str | None) -> FlowStepResult:
    return FlowStepResult(
        action=action.describe(),
        ok=error is None,
        error=error,
        url=url,
        seconds=round(time.monotonic() - began, 3),
    )


async def _perform(page: object, base_url: str, action: Visit | Fill | Click | ExpectText) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    if isinstance(action, Visit):
        response = await page.goto(base_url.rstrip("/") + action.path)
        if response is not None and not response.ok:
            raise AssertionError(f"GET {action.path} answered HTTP {response.status}")
    elif isinstance(action, Fill):
        await _fill(page, action)
    elif isinstance(action, Click):
        async with page.expect_navigation(wait_until="load"):
            await page.click(action.selector)
    else:
        text = await page.locator(action.selector).first.inner_text()
        if action.text not in text:
            raise AssertionError(f"{action.text!r} is not on the page ({page.url})")


_CHECKED = frozenset({"on", "true", "1", "yes"})


async def _fill(page: Any, action: Fill) -> None:
    fields = await page.locator(action.selector).all()
    if not fields:
        raise AssertionError(f"no field matches {action.selector} ({page.url})")
    for field in fields:
        kind = (await field.get_attribute("type") or "").lower()
        tag = await field.evaluate("element => element.tagName.toLowerCase()")
        if kind in ("checkbox", "radio"):
            await field.set_checked(action.value.lower() in _CHECKED)
        elif tag == "select":
            await field.select_option(action.value)
        else:
            await field.fill(action.value)
