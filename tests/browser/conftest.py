"""Browser fixtures: one real uvicorn over a fresh demo database (service.web.live) for the
browser tests, Debian's chromium driven by Playwright (never a downloaded browser), a fresh browser
context (no cookies) per test.

The server and the browser live for this package only (``scope="package"``), not the session:
Playwright's sync API keeps an asyncio loop marked as running in the main thread while it is
open, and every later test would then see "a running event loop" (``asyncio.run`` refuses, and
Prefect's sync calls hand back coroutines)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from service.demo import DEMO_PASSWORD
from service.web.live import CHROMIUM, demo_server


@pytest.fixture(scope="package")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=base_url, locale="vi-VN")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def login(browser: Browser, base_url: str) -> Iterator[Callable[[str], Page]]:
    """``login("cb.soyt")`` → a page of a new browser context signed in as that demo account."""
    contexts: list[BrowserContext] = []

    def sign_in(username: str) -> Page:
        ctx = browser.new_context(base_url=base_url, locale="vi-VN")
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.goto("/web/login")
        pg.get_by_label("Tên đăng nhập").fill(username)
        pg.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        pg.get_by_role("button", name="Đăng nhập").click()
        pg.wait_for_url("**/web/")
        return pg

    yield sign_in
    for ctx in contexts:
        ctx.close()
