"""A real `staffdesk demo` process and headless Chromium from Debian's packages (no browser download), a
page object to drive the demo page with, and a screenshot of each step under test-artifacts/browser/."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
    "--lang=en-US",
)
STAFFDESK_PREFIXES = ("SLACK_", "WETHOD_", "MISSIONX_", "PROCORE_", "DATABASE_", "STAFFDESK_")
T = TypeVar("T")


def need_chromium() -> None:
    """Skip when Chromium or ChromeDriver is not installed here; in CI (CI=true), fail instead."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if not missing:
        return
    reason = (
        f"the browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} missing); "
        "install them with: apt-get install -y chromium chromium-driver"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`staffdesk demo --port 0` in a folder of its own, with no Staffdesk setting in its environment; its
    page's URL. Stopped with Ctrl-C (SIGINT) afterwards, which must end it cleanly."""
    need_chromium()
    folder = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(STAFFDESK_PREFIXES)}
    errors = (folder / "stderr.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "demo", "--port", "0"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    assert process.stdout is not None
    printed: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(process.stdout, printed), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    url = None
    while url is None:
        try:
            line = printed.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            errors.seek(0)
            pytest.fail(f"staffdesk demo did not print its page's address in time:\n{errors.read()[-3000:]}")
        found = re.search(r"open (http://127\.0\.0\.1:\d+)/", line)
        url = found.group(1) if found else None
    try:
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        reader.join(timeout=10)
        process.stdout.close()
        errors.seek(0)
        logged = errors.read()
        errors.close()
        assert code == 0, f"staffdesk demo did not stop cleanly on Ctrl-C ({code}):\n{logged[-3000:]}"
        assert "xoxb-" not in logged
        assert sorted(p.name for p in folder.iterdir()) == ["stderr.log"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    need_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class DemoPage:
    """The demo page as a person uses it, with a screenshot after each step worth seeing."""

    def __init__(self, driver: WebDriver, url: str, shots: Path) -> None:
        self.driver = driver
        self.url = url
        self.shots = shots
        self.taken = 0

    def wait(self, until: Callable[[WebDriver], T], seconds: float = 30) -> T:
        ignored = (NoSuchElementException, StaleElementReferenceException)
        return WebDriverWait(self.driver, seconds, ignored_exceptions=ignored).until(until)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text_of(self, css: str) -> str:
        return self.find(css).text

    def shows(self, css: str, *texts: str, seconds: float = 30) -> None:
        self.wait(lambda _: all(t in self.text_of(css) for t in texts), seconds)

    def shot(self, name: str) -> Path:
        self.taken += 1
        path = self.shots / f"{self.taken:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def load(self) -> None:
        self.driver.get(f"{self.url}/")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#who option"))

    def become(self, user_id: str) -> None:
        Select(self.find("#who")).select_by_value(user_id)
        self.wait(lambda _: self.find("body").get_attribute("data-me") == user_id)

    def open(self, conversation: str, tab: str | None = None) -> None:
        self.find(f'#sidebar [data-conv="{conversation}"]').click()
        if tab:
            self.find(f'[data-tab="{tab}"]').click()

    def type(self, text: str) -> None:
        box = self.find("#box")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def modal_hash(self) -> str:
        return str(self.find("#modal .modal").get_attribute("data-hash"))

    def pick(self, block_id: str, label: str) -> None:
        """Pick `label` in a select of the open form, and wait for the app's update of the form."""
        before = self.modal_hash()
        Select(self.find(f'#modal [data-block-id="{block_id}"] select')).select_by_visible_text(label)
        self.wait(lambda _: self.modal_hash() != before)

    def click(self, within: str, label: str) -> None:
        xpath = f'//*[@id="{within}"]//button[normalize-space()="{label}"]'
        buttons = self.driver.find_elements(By.XPATH, xpath)
        buttons[-1].click()

    def closed_modal(self) -> None:
        self.wait(lambda _: not self.find("#modal").is_displayed())


@pytest.fixture
def page(browser: WebDriver, demo_url: str, request: pytest.FixtureRequest) -> DemoPage:
    shots = ARTIFACTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    demo = DemoPage(browser, demo_url, shots)
    demo.load()
    return demo
