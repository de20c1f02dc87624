"""``window-app serve`` over HTTP (no browser): sign-in first, sessions, refusals in words,
nothing linked from another host, TLS. The real server process on 127.0.0.1, real windows
(copies of the signed-in template); the browser itself is tests/functional_tests/test_browser.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
import httpx
import pytest

from tests.serve_process import ServeProcess
from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN, open_signed_in
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.clerks import Role
from window_app.web.sessions import COOKIE


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """Two windows, w1 and w2; w2 also has the clerk W2A, whom w1 does not know."""
    base = tmp_path_factory.mktemp("serve")
    server = ServeProcess.of_windows(base, "w1", "w2")
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(server.data_dir("w2")))
    window = open_signed_in(settings)
    try:
        window.add_clerk("W2A", "二号窗口", (Role.ACCEPTOR,), "w2a-pin-1357", kdf=TEST_KDF)
    finally:
        window.close()
    with server:
        yield server


def sign_in(url: str, window: str, clerk: str, pin: str, *, lang: str = "zh", **options) -> httpx.Response:
    return httpx.post(url + "/sign-in", data={"window": window, "clerk": clerk, "pin": pin, "lang": lang},
                      follow_redirects=False, **options)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "data-session-websocket-url") and value:
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def outside_urls(text: str, kind: str) -> list[str]:
    """Absolute http(s) URLs a browser would fetch from ``text`` (a stylesheet's comments and an
    SVG's namespace name are not fetched)."""
    if kind == "css":
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    urls = re.findall(r"""(?:url\(\s*["']?|["'`])((?:https?|wss?):)?//([^/"'`)\s]+)""", text)
    return [f"{scheme}//{host}" for scheme, host in urls if host.split(":")[0] not in ("127.0.0.1", "www.w3.org")]


def test_sign_in_page_and_the_terminal_files_fetch_nothing_from_another_host(served):
    first = httpx.get(served.url + "/")
    assert first.status_code == 200 and "综合窗口登录" in first.text
    assert "<script" not in first.text  # the sign-in page works without any script
    answer = sign_in(served.url, "w1", TEST_CLERK, TEST_PIN)
    assert answer.status_code == 303 and answer.headers["location"] == "/app"
    page = httpx.get(served.url + "/app", cookies=answer.cookies)
    assert page.status_code == 200 and "测试员" in page.text
    fetched = [first, page]
    for link in links_of(first.text) + links_of(page.text):
        address = urlsplit(urljoin(served.url + "/app", link))
        assert address.hostname == "127.0.0.1", link
        if address.scheme == "http" and address.path.startswith(("/static/", "/web/")):
            fetched.append(httpx.get(address.geturl()))
    fonts = []
    for response in fetched:
        assert response.status_code == 200, response.url
        kind = "css" if str(response.url).endswith(".css") else "js"
        assert outside_urls(response.text, kind) == [], response.url
        fonts += re.findall(r"""url\(["']?(/[^"')]+)""", response.text) if kind == "css" else []
    assert fonts and all(httpx.get(served.url + font).status_code == 200 for font in fonts)  # the font is ours
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert not re.search(r"https?://", policy), policy  # no outside origin allowed, for anything


def test_a_wrong_pin_is_refused_in_words_and_no_session_is_made(served):
    answer = sign_in(served.url, "w1", TEST_CLERK, "not-the-pin")
    assert answer.status_code == 403
    assert "PIN 不对，还可再试" in answer.text and COOKIE not in answer.headers.get("set-cookie", "")
    english = sign_in(served.url, "w1", TEST_CLERK, "not-the-pin-either", lang="en")
    assert "Wrong PIN" in english.text
    assert sign_in(served.url, "w1", TEST_CLERK, TEST_PIN).status_code == 303  # the right one still works


def test_the_session_cookie_is_http_only_and_same_site_strict(served):
    cookie = sign_in(served.url, "w1", TEST_CLERK, TEST_PIN).headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie  # plain HTTP here


def test_without_a_session_the_app_and_its_websocket_and_downloads_are_refused(served):
    assert httpx.get(served.url + "/app").status_code == 303
    assert httpx.get(served.url + "/download/abc", cookies={COOKIE: "made-up"}).status_code == 403

    async def connect(cookies: dict[str, str], origin: str | None = None) -> int:
        headers = {"Origin": origin} if origin else {}
        async with aiohttp.ClientSession(cookies=cookies) as client:
            try:
                async with client.ws_connect(served.url + "/ws", headers=headers) as socket:
                    await socket.close()
                    return 101
            except aiohttp.WSServerHandshakeError as error:
                return error.status

    assert asyncio.run(connect({})) == 403
    assert asyncio.run(connect({COOKIE: "made-up"})) == 403
    signed_in = dict(sign_in(served.url, "w2", "W2A", "w2a-pin-1357").cookies)
    assert asyncio.run(connect(signed_in, origin="http://elsewhere.example")) == 403  # another site's page


def processes_showing(secret: str) -> list[str]:
    """This user's processes whose command line or environment holds ``secret`` (Linux)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        for part in ("cmdline", "environ"):
            with contextlib.suppress(OSError):
                if secret.encode() in (entry / part).read_bytes():
                    found.append(f"{entry.name}/{part}")
    return found


def test_a_signed_in_websocket_starts_the_window_and_sign_out_ends_the_session(served):
    cookies = dict(sign_in(served.url, "w2", "W2A", "w2a-pin-1357").cookies)
    pins_seen: list[str] = []

    async def first_screen() -> bytes:
        async with aiohttp.ClientSession(cookies=cookies) as client:
            async with client.ws_connect(served.url + "/ws?width=100&height=30") as socket:
                received = b""
                while len(received) < 2000:  # the pick screen's first frame
                    message = await asyncio.wait_for(socket.receive(), 60)
                    if message.type != aiohttp.WSMsgType.BINARY:
                        break
                    received += message.data
                pins_seen.extend(processes_showing("w2a-pin-1357"))  # while the app runs
                return received

    frame = re.sub(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07", "", asyncio.run(first_screen()).decode("utf-8", "replace"))
    assert "1 选择事项" in frame and "PIN" not in frame, frame  # the pick screen: signed in already, no sign-in screen
    assert pins_seen == []  # the PIN went through the one-time ticket: no command line, no environment holds it
    out = httpx.post(served.url + "/sign-out", cookies=cookies)
    assert "已退出登录" in out.text
    assert httpx.get(served.url + "/app", cookies=cookies).status_code == 303  # the old cookie is worth nothing


def test_each_window_has_its_own_accounts(served):
    assert sign_in(served.url, "w2", "W2A", "w2a-pin-1357").status_code == 303
    refused = sign_in(served.url, "w1", "W2A", "w2a-pin-1357")
    assert refused.status_code == 403 and "没有工号为“W2A”的账号" in refused.text


def test_failed_sign_ins_from_one_address_are_slowed_down(tmp_path: Path):
    with ServeProcess.of_windows(tmp_path, "w1") as server:  # its own: the other tests' address is not slowed
        answers = [sign_in(server.url, "w1", f"X{attempt:03d}", "whatever") for attempt in range(6)]
        assert [a.status_code for a in answers] == [403] * 5 + [429]  # unknown ids: no account locks, the address waits
        assert "登录失败次数过多" in answers[-1].text
        assert sign_in(server.url, "w1", TEST_CLERK, TEST_PIN).status_code == 429  # even the right PIN waits


def test_tls_with_a_certificate_and_a_secure_cookie(tmp_path: Path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with ServeProcess.of_windows(tmp_path, "w1", extra=("--cert", str(cert), "--key", str(key)), tls=True) as server:
        assert server.url.startswith("https://")
        answer = sign_in(server.url, "w1", TEST_CLERK, TEST_PIN, verify=False)
        assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
        page = httpx.get(server.url + "/app", cookies=answer.cookies, verify=False)
        assert 'data-session-websocket-url="wss://' in page.text
    assert "警告" not in server.stderr


def test_plain_http_on_the_network_is_warned_about_in_words(tmp_path: Path):
    server = ServeProcess.of_windows(tmp_path, "w1", host="0.0.0.0")
    with server:
        pass  # stopped: what it said is read
    assert "警告：未使用 TLS" in server.stderr and "切勿暴露在互联网上" in server.stderr


def test_a_broken_windows_file_is_refused_in_words(tmp_path: Path):
    windows = tmp_path / "windows.toml"
    windows.write_text('[[window]]\nid = "w 1"\ndata_dir = "a"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "window_app", "serve", "--port", "8999", "--windows", str(windows)],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2 and "只能用字母、数字、- 和 _" in done.stderr and "Traceback" not in done.stderr
