"""GraphiQL at GET /graphql works without internet (issue 14): the page names no other host,
its assets ship inside the package and are served by the sandbox, and a real Chromium that can
resolve no host but 127.0.0.1 renders it."""

from __future__ import annotations

import re
import shutil
import tempfile
from importlib.resources import files

import httpx
import pytest

from posdesk.sandbox.graphiql import ASSETS
from posdesk.sandbox.server import SandboxServer
from tests.api.test_sign_in_real_browser import CHROMEDRIVER, CHROMIUM, FLAGS
from tests.api.test_sign_in_real_browser import no_selenium_manager as no_selenium_manager


def test_the_page_references_no_external_host(sandbox: SandboxServer) -> None:
    assert sandbox.info is not None
    page = httpx.get(sandbox.info.graphql_url, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "//" not in page.text  # no http://, https:// nor protocol-relative URL
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(references) == 5
    for reference in references:
        assert reference.startswith("/graphiql/")
        asset = httpx.get(sandbox.info.base_url + reference)
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))
        assert len(asset.content) > 100
    assert httpx.get(sandbox.info.base_url + "/graphiql/../server.py").status_code == 404


def test_the_assets_and_their_licences_ship_in_the_package() -> None:
    folder = files("posdesk.sandbox").joinpath("static", "graphiql")
    for name in (*ASSETS, "LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"):
        assert folder.joinpath(name).is_file(), name
    for name in ASSETS:  # no source map or CDN the browser would try to fetch
        text = folder.joinpath(name).read_text(encoding="utf-8")
        assert "sourceMappingURL" not in text
        assert "esm.sh" not in text
        assert "unpkg.com" not in text


@pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()), reason="needs chromium + chromium-driver"
)
@pytest.mark.usefixtures("no_selenium_manager")
def test_graphiql_renders_in_chromium_with_the_network_off(sandbox: SandboxServer) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    assert sandbox.info is not None
    profile = tempfile.mkdtemp(prefix="posdesk-graphiql-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    # no name resolves and no proxy answers: only 127.0.0.1 is reachable, like an offline PC
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.get(sandbox.info.graphql_url)
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return !!document.querySelector('.graphiql-container')")
        )
        # the schema came over /graphql (introspection without a token): the docs show it
        docs = '[aria-label="Show Documentation Explorer"]'
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script(f"return !!document.querySelector('{docs}')")
        )
        driver.execute_script(f"document.querySelector('{docs}').click()")
        WebDriverWait(driver, 30).until(
            lambda d: "Root Types" in d.execute_script("return document.body.innerText")
        )
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
