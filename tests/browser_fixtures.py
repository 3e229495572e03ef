"""The pytest plugin of the browser tests: the `browser` marker, Chromium, offline pages.

Loaded by the browser test modules with `pytest_plugins = ["browser_fixtures"]`
(so the unit tests never import Playwright). The helpers the tests call live
in `browser_support`, which this plugin imports; keeping the two apart lets
pytest load this file as a plugin while the tests import the helpers.

Every test that uses the `browser` fixture gets the `browser` marker, so
`pytest -m "not browser"` leaves them out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import CHROMIUM_ARGS, REQUIRE_BROWSER_ENV, Browsing, chromium_path, screenshot
from playwright.sync_api import Browser, Playwright, sync_playwright


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium (skipped without one, "
                                       f"unless {REQUIRE_BROWSER_ENV}=1)")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so `browsing` can screenshot failed tests."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, per module: while it is active an asyncio loop counts as running
    in this thread, so the tests of other modules could not call `asyncio.run`."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One Chromium per module, not per test: launching it costs about a second."""
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, timeout=30_000)
    yield browser
    browser.close()


@pytest.fixture
def browsing(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """Offline pages for this test; on failure every page is screenshotted into test-artifacts/."""
    browsing = Browsing(browser)
    yield browsing
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for i, page in enumerate(p for c in browsing.contexts for p in c.pages):
            with contextlib.suppress(Exception):  # must not hide why the test failed
                screenshot(page, f"{request.node.name}-failed-{i}")
    browsing.close()
