"""Interactive sign-in (authorization code + PKCE) through the sandbox's login page in a real
headless Chromium, the way a store PC does it: the browser loads the page, a person's typing
fills the form, the browser follows the redirect to posdesk's loopback listener.

Driven with selenium against Debian's ``chromium`` + ``chromium-driver`` (``.ci/run`` installs
them). The driver path is passed explicitly so Selenium Manager never runs (no download); a
guard makes any attempt fail the test.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import pytest

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal
from tests.api.helpers import FAST_RETRY, interactive_profile

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
    "chromium-driver; .ci/run installs them)",
)


@pytest.fixture
def no_selenium_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Selenium Manager downloads drivers and browsers: it must never be asked."""
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    def refuse(*_: object, **__: object) -> dict[str, str]:
        raise AssertionError("Selenium Manager ran (it would download a driver)")

    monkeypatch.setattr(SeleniumManager, "binary_paths", refuse)


class Chromium:
    """One headless Chromium with a fresh profile, used from a worker thread (selenium blocks;
    the event loop must stay free to serve posdesk's loopback redirect)."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile_dir = tempfile.mkdtemp(prefix="posdesk-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile_dir}")
        self.driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        self.driver.set_page_load_timeout(30)
        self.pages: list[str] = []

    def sign_in(self, url: str, username: str, password: str) -> None:
        """Open the authorization URL, type the credentials, press Sign in; return once the
        browser shows posdesk's "you can close this window" page."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        driver = self.driver
        driver.get(url)
        self.pages.append(driver.title)
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[value=login]").click()
        WebDriverWait(driver, 30).until(lambda d: d.current_url.startswith("http://127.0.0.1:"))
        self.pages.append(driver.current_url.split("?")[0])
        self.pages.append(driver.find_element(By.TAG_NAME, "body").text)

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile_dir, ignore_errors=True)


@pytest.mark.asyncio
@pytest.mark.usefixtures("no_selenium_manager")
async def test_interactive_sign_in_in_real_headless_chromium(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    browser = await asyncio.to_thread(Chromium)
    opened: list[str] = []

    async def open_browser(url: str) -> None:
        opened.append(url)
        await asyncio.to_thread(browser.sign_in, url, "manager", "manager-pass")

    profile = interactive_profile(sandbox, "chromium-pc")
    try:
        client = await PosClient.connect(
            profile, open_browser=open_browser, journal=Journal(tmp_path / "j"), retry=FAST_RETRY
        )
        try:
            viewer = await client.viewer()
        finally:
            await client.aclose()
    finally:
        await asyncio.to_thread(browser.close)

    assert viewer.subject == "manager"
    assert viewer.name == "Max Manager"
    assert len(opened) == 1
    assert "code_challenge_method=S256" in opened[0]
    assert browser.pages[0].startswith("Sign in")  # the sandbox's login page was shown
    assert browser.pages[1].startswith("http://127.0.0.1:")  # the loopback redirect landed
    assert browser.pages[2].startswith("Signed in")  # posdesk's own loopback answer
    assert Credentials().refresh_token(profile.name)  # kept for the next start
