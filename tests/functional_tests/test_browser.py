"""The window in a real browser: Playwright driving Debian's Chromium against ``window-app serve``.

A clerk signs in through the page (a wrong PIN first: refused in words), types ``qykb`` on the pick
screen, takes 企业开办 through every step to the receipt, presses P and gets the receipt as a
download: a PDF whose text holds the receipt number the window stored. Every request the page
makes goes to 127.0.0.1; the application is in the signed-in window's data dir only.

The pick screen is compared with a reference PNG (``browser_reference/pick-qykb.png``) by the
share of pixels that differ (fonts antialias differently from machine to machine): to refresh it
after a deliberate change to the screen, delete the file (or set ``WINDOW_APP_REFRESH_BROWSER_REFERENCE=1``)
and run this file once; the new PNG is written and the test says so; look at it, commit it.

Set-up on a fresh machine of CI's kind (Debian, root or sudo): the session fixture
:func:`chromium` installs ``chromium`` and ``fonts-wqy-microhei`` with apt when missing, and skips
with words only where apt cannot (Playwright cannot download its own browsers here, so it is
launched with ``executable_path`` = Debian's Chromium).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.serve_process import ServeProcess
from tests.window_template import TEST_CLERK, TEST_PIN, open_signed_in
from window_app.config import SHIPPED_CONFIG, load_settings

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
Image = pytest.importorskip("PIL.Image", reason="Pillow is in the test extra")
ImageChops = pytest.importorskip("PIL.ImageChops")

REFERENCE = Path(__file__).parent / "browser_reference" / "pick-qykb.png"
REFRESH_ENV = "WINDOW_APP_REFRESH_BROWSER_REFERENCE"
VIEWPORT = {"width": 1280, "height": 800}
MAX_DIFFERENT_SHARE = 0.02
"""At most 2% of the pixels may differ (by more than :data:`PIXEL_TOLERANCE` in a channel)."""
PIXEL_TOLERANCE = 48
LEGAL_REP_ID = "522325198504120318"
QUIET_SECONDS = 0.4
"""The screen has settled once the app sent nothing for this long after a key (its answer drawn)."""
KEY_ANSWER_SECONDS = 20.0
"""How long a key may wait for the app's answer (a loaded CI machine); not a timing assertion."""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium (installed with a CJK font by apt when missing), or a skip in words."""
    lock_path = Path(tempfile.gettempdir()) / "window-app-chromium-install.lock"
    with open(lock_path, "w") as lock:  # pytest-xdist workers: one apt at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = shutil.which("chromium")
        has_font = subprocess.run(["fc-list", ":lang=zh-cn"], capture_output=True, text=True).stdout.strip()
        if path is None or not has_font:
            sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
            if sudo is None or shutil.which("apt-get") is None:
                pytest.skip("Chromium is missing and apt-get cannot install it here (needs root or sudo on Debian/Ubuntu)")
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, capture_output=True)
            done = subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "chromium", "fonts-wqy-microhei"],
                                  env=env, capture_output=True, text=True)
            path = shutil.which("chromium")
            if done.returncode != 0 or path is None:
                pytest.skip(f"apt-get could not install Chromium: {done.stderr[-400:]}")
    return path


@pytest.fixture
def served(tmp_path: Path):
    with ServeProcess.of_windows(tmp_path, "w1", "w2") as server:
        yield server


@pytest.fixture
def page(chromium: str, served: ServeProcess):
    """A fresh page in Chromium; ``page.requests_seen`` lists every URL it asked for (sockets too)."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
            page = context.new_page()
            page.requests_seen = []
            page.frames_received = 0
            page.last_frame = 0.0
            page.on("request", lambda request: page.requests_seen.append(request.url))
            page.on("websocket", lambda socket: watch(page, socket))
            yield page
        finally:
            browser.close()


def watch(page, socket) -> None:
    """Note the terminal's socket and every frame the app sends down it."""
    page.requests_seen.append(socket.url)

    def received(_payload) -> None:
        page.frames_received += 1
        page.last_frame = time.monotonic()

    socket.on("framereceived", received)


def settle(page, frames_before: int) -> None:
    """Wait until the app answered (a frame after ``frames_before``) and then went quiet: keys are
    typed blind into a canvas, so each one waits for the screen to be drawn (events are only
    delivered while Playwright waits, hence ``wait_for_timeout``, not ``time.sleep``)."""
    deadline = time.monotonic() + KEY_ANSWER_SECONDS
    while time.monotonic() < deadline:
        page.wait_for_timeout(50)
        if page.frames_received > frames_before and time.monotonic() - page.last_frame >= QUIET_SECONDS:
            return


def sign_in(page, served: ServeProcess, window: str, pin: str) -> None:
    page.goto(served.url + "/")
    page.select_option("#window", window)
    page.fill("#clerk", TEST_CLERK)
    page.fill("#pin", pin)
    page.click("#sign-in")


def press(page, *keys: str) -> None:
    """Each key, and the app's answer drawn, before the next."""
    for key in keys:
        before = page.frames_received
        page.keyboard.press(key)
        settle(page, before)


def type_in(page, text: str) -> None:
    """Into the focused field, then Enter (the next field)."""
    before = page.frames_received
    page.keyboard.insert_text(text)
    settle(page, before)
    press(page, "Enter")


def choose_first(page) -> None:
    """A drop-down: Enter opens it, the first option, Enter, Tab to the next field."""
    press(page, "Enter", "ArrowDown", "Enter", "Tab")


def matches_reference(shot: bytes, tmp_path: Path) -> None:
    """The screenshot against the reference PNG (written, and the test passes, when refreshing)."""
    taken = tmp_path / "taken.png"
    taken.write_bytes(shot)
    if os.environ.get(REFRESH_ENV) or not REFERENCE.exists():
        REFERENCE.write_bytes(shot)
        print(f"browser reference written: {REFERENCE} (look at it, commit it)")
        return
    with Image.open(REFERENCE) as reference, Image.open(taken) as now:
        assert reference.size == now.size, (reference.size, now.size)
        difference = ImageChops.difference(reference.convert("RGB"), now.convert("RGB"))
        red, green, blue = (band.point(lambda v: 255 if v > PIXEL_TOLERANCE else 0) for band in difference.split())
        different = ImageChops.lighter(ImageChops.lighter(red, green), blue).histogram()[255]
    share = different / (now.size[0] * now.size[1])
    assert share <= MAX_DIFFERENT_SHARE, f"{share:.1%} of the pixels differ from {REFERENCE.name}; this one: {taken}"


def test_a_clerk_signs_in_takes_business_startup_to_its_receipt_and_downloads_it(page, served, tmp_path):
    sign_in(page, served, "w1", "not-the-pin")
    assert "PIN 不对" in page.inner_text(".problem")  # refused in words, on the page; no app started

    page.fill("#pin", TEST_PIN)
    page.click("#sign-in")
    page.wait_for_selector("body.-first-byte", timeout=60_000)  # the app's first frame: no sign-in screen in it
    settle(page, 0)
    page.focus(".xterm-helper-textarea")  # the keyboard to the terminal, without a click in the app
    press(page, "q", "y", "k", "b")
    matches_reference(page.screenshot(), tmp_path)  # 企业开办 highlighted, its guide beside it, in Chinese

    press(page, "Enter")  # the applicant step
    for value in ("贞丰县花江峡谷农旅开发有限公司", "", "岑国祥", LEGAL_REP_ID, "13985961024"):
        if value:
            type_in(page, value)
        else:
            press(page, "Enter")
    press(page, "F6")  # the contact person is the legal representative
    press(page, "Alt+n")  # the situation: the default answers
    press(page, "Alt+n")  # the checklist
    press(page, "a")  # every material received as an original
    press(page, "Alt+n")  # the one form
    press(page, "Enter")  # the enterprise's name, carried over
    choose_first(page)  # entity type
    type_in(page, "100")
    type_in(page, "乡村旅游开发；农产品种植与销售")
    type_in(page, "贞丰县珉谷街道三合社区环城东路18号")
    press(page, "Tab")  # the registration region, this window's
    type_in(page, "8")
    press(page, "Enter", "Enter", "Enter")  # the legal representative, carried over
    choose_first(page)  # taxpayer type
    choose_first(page)  # invoice type
    press(page, "Enter")  # no credit code yet
    type_in(page, "4")  # seals
    type_in(page, "10")  # housing fund rate
    press(page, "Alt+n")  # the review
    press(page, "F10")  # accepted: the receipt
    with page.expect_download(timeout=60_000) as delivered:
        press(page, "p")
    download = delivered.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    receipt_no = stored_receipts(served.data_dir("w1"))
    if len(receipt_no) != 1:
        page.screenshot(path=str(tmp_path / "not-accepted.png"))
    assert len(receipt_no) == 1, f"the application was not accepted in the browser: {tmp_path / 'not-accepted.png'}"
    assert download.suggested_filename == f"{receipt_no[0]}-receipt.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert receipt_no[0] in text and "受理回执" in text and "贞丰县花江峡谷农旅开发有限公司" in text
    assert stored_receipts(served.data_dir("w2")) == []  # the other window's data dir is untouched

    outside = [url for url in page.requests_seen if urlsplit(url).hostname != "127.0.0.1"]
    assert page.requests_seen and outside == []


def stored_receipts(data_dir: Path) -> list[str]:
    """The receipt numbers a window's database holds (read as the test clerk)."""
    window = open_signed_in(load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(data_dir)))
    with contextlib.closing(window):
        return [summary.receipt_no for summary in window.applications()]


def test_signing_out_ends_the_app_and_the_page_says_so(page, served):
    sign_in(page, served, "w2", TEST_PIN)
    page.wait_for_selector("body.-first-byte", timeout=60_000)
    page.click("#sign-out")
    assert "已退出登录" in page.inner_text(".note")
    page.goto(served.url + "/app")
    assert page.url.rstrip("/") == served.url  # back to the sign-in page: the session is gone
