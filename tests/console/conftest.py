"""Console tests: the refund tests' whole stack (real Temporal, emulator, uvicorn API) and a real headless Chromium.

The stack fixtures are tests/refunds/conftest.py's own, loaded from there rather than copied, so both suites run the
same stack. Chromium is Debian's (`.ci/run` installs it); `playwright install` is never needed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright, expect

REFUNDS_TESTS = Path(__file__).resolve().parents[1] / "refunds"
sys.path.insert(0, str(REFUNDS_TESTS))
_spec = importlib.util.spec_from_file_location("refund_stack_fixtures", REFUNDS_TESTS / "conftest.py")
assert _spec is not None and _spec.loader is not None
_stack_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_stack_fixtures)

# The refund suite's fixtures, registered here under their own names.
settings_overrides = _stack_fixtures.settings_overrides
read_model_backend = _stack_fixtures.read_model_backend
read_model_url = _stack_fixtures.read_model_url
api_temporal_client = _stack_fixtures.api_temporal_client
stripe_worker_in_process = _stack_fixtures.stripe_worker_in_process
stack = _stack_fixtures.stack
disputes = _stack_fixtures.disputes
# A module that sets READ_MODEL_BACKENDS runs its stack tests once per backend, as in tests/refunds.
pytest_generate_tests = _stack_fixtures.pytest_generate_tests

CHROMIUM = Path(os.environ.get("CONSOLE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("CONSOLE_SHOTS", "/tmp/console-shots"))


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session; each test opens its own contexts (one per person)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`.ci/run` does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


class Person:
    """A staff member at their own browser: separate cookies, the stack's API address."""

    def __init__(self, context: BrowserContext, page: Page, base_url: str) -> None:
        self.context = context
        self.page = page
        self.base_url = base_url

    async def open(self, path: str) -> Page:
        """Go to a console page."""
        await self.page.goto(self.base_url + path)
        return self.page

    async def sign_in(self, login: str, password: str) -> Page:
        """Sign in through the form and land on My work."""
        await self.open("/console/sign-in")
        await self.page.get_by_label("Email or staff name").fill(login)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Sign in").click()
        await expect(self.page.get_by_role("heading", name="My work")).to_be_visible()
        return self.page

    async def shot(self, name: str) -> None:
        """Keep a full-page screenshot of what this person sees, for a human to look at."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"), full_page=True)


@pytest.fixture
async def people(browser: Browser, stack) -> AsyncIterator:
    """`await people()` opens a new person's browser on the stack's API; all are closed after the test."""
    contexts: list[BrowserContext] = []

    async def new_person() -> Person:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = await context.new_page()
        # Every confirmation dialog (each action asks) is answered yes, as the person would.
        page.on("dialog", lambda dialog: dialog.accept())
        return Person(context, page, str(stack.settings.public_api_url))

    try:
        yield new_person
    finally:
        for context in contexts:
            await context.close()


# Customers' pages are read on phones: their tests use one this size.
PHONE: ViewportSize = {"width": 390, "height": 844}
CUSTOMER_SHOTS = Path(os.environ.get("CUSTOMER_SHOTS", "/tmp/customer-shots"))
Phone = Callable[[], Awaitable[Page]]


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Phone]:
    """`await phone()`: a new phone-sized browser of a customer (touch, no session with us)."""
    contexts = []

    async def open_phone() -> Page:
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        contexts.append(context)
        return await context.new_page()

    try:
        yield open_phone
    finally:
        for context in contexts:
            await context.close()


async def shot(page: Page, name: str) -> None:
    """A full-page screenshot for a person to look at."""
    CUSTOMER_SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(CUSTOMER_SHOTS / f"{name}.png"), full_page=True)
