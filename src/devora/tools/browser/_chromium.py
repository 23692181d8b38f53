"""Debian's Chromium, headless, driven by Playwright (never a browser Playwright downloads)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from devora.errors import ToolNotInstalledError
from devora.tools.lighthouse import browser_path

if TYPE_CHECKING:
    from playwright.async_api import Browser

__all__ = ["CHROMIUM_FLAGS", "open_chromium"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextlib.asynccontextmanager
async def open_chromium() -> AsyncIterator[Browser]:
    """A headless Chromium (CHROME_PATH, else /usr/bin/chromium), closed on the way out."""
    executable = browser_path()
    try:
        from playwright.async_api import async_playwright
    except ImportError as error:
        raise ToolNotInstalledError(
            "playwright (the Python package)",
            "pip install 'devora[saas]' (or pip install playwright)",
        ) from error
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield browser
        finally:
            await browser.close()
