"""A real headless browser for end-to-end checks: Debian's Chromium driven by Playwright.

result = await play_flow(app.url, [Visit(path="/"), ExpectText(text="Sign up")])
result.ok, result.failure, result.screenshot
"""

from devora.tools.browser._chromium import CHROMIUM_FLAGS, open_chromium
from devora.tools.browser._flow import (
    BrowserAction,
    Click,
    ExpectText,
    Fill,
    FlowResult,
    FlowStepResult,
    Hook,
    Visit,
    play_flow,
)

__all__ = [
    "CHROMIUM_FLAGS",
    "BrowserAction",
    "Click",
    "ExpectText",
    "Fill",
    "FlowResult",
    "FlowStepResult",
    "Hook",
    "Visit",
    "open_chromium",
    "play_flow",
]
