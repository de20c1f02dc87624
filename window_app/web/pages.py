"""The server's pages: the sign-in form and the app's page, plain HTML, nothing from outside.

The sign-in page has no script at all; the app page loads textual-serve's terminal
(``/static/js/textual.js``, ``/static/css/xterm.css``) and this package's ``/web/`` files (the
terminal font's fallbacks to the clerk's own CJK fonts, and the download of delivered files) from
this server. :func:`security_headers` forbids every other origin (Content-Security-Policy).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from window_app.domain.words import Words
from window_app.web.windows import WebWindow

LANGUAGES = ("zh", "en")

TITLE = Words("综合窗口 · 登录", "Comprehensive window · Sign in")
HEADING = Words("综合窗口登录", "Sign in to the comprehensive window")
WINDOW_LABEL = Words("窗口", "Window")
ONE_WINDOW = Words("窗口：{window}", "Window: {window}")
CLERK_LABEL = Words("工号", "Clerk id")
PIN_LABEL = Words("PIN", "PIN")
SIGN_IN = Words("登录", "Sign in")
SIGN_OUT = Words("退出登录", "Sign out")
SIGNED_OUT = Words("已退出登录", "You are signed out")
OFFICE_ONLY = Words("本系统仅供办公内网使用。", "For the office network only.")
STARTING = Words("正在启动窗口……", "Starting the window …")
ENDED = Words("本次会话已结束。", "This session has ended.")
RESTART = Words("重新打开", "Open again")
ON_WINDOW = Words("{window} · {clerk}", "{window} · {clerk}")


def security_headers(host: str, *, tls: bool) -> dict[str, str]:
    """Headers for every answer: nothing from another origin, no framing, no sniffing.

    Args:
        host: The ``Host`` the browser used (the websocket's origin, named for browsers whose
            ``'self'`` does not cover ``ws:``).
        tls: Served over TLS (``wss:``, and HSTS is left to the office's proxy if any).
    """
    socket = f"{'wss' if tls else 'ws'}://{host}"
    policy = "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # xterm.js sizes its elements with inline styles
            "font-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src 'self' {socket}",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


def _page(language: str, title: Words, body: str, head: str = "") -> str:
    lang = "zh-CN" if language == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title.in_language(language))}</title>\n"
        f'<link rel="stylesheet" href="/web/window-app.css">\n{head}</head>\n{body}\n</html>\n'
    )


def sign_in_page(
    windows: Sequence[WebWindow],
    *,
    language: str,
    problem: Words | None = None,
    chosen_window: str = "",
    clerk_id: str = "",
    note: Words | None = None,
) -> str:
    """The sign-in form (POST ``/sign-in``): the window (a choice when there are several), the
    工号, the PIN; the language links; a problem in words above the form."""

    def say(words: Words) -> str:
        return escape(words.in_language(language))

    if len(windows) == 1:
        window_field = f'<input type="hidden" name="window" value="{escape(windows[0].id)}">'
        window_line = f'<p class="window-name">{say(ONE_WINDOW.format(window=windows[0].name))}</p>'
    else:
        options = "".join(
            f'<option value="{escape(w.id)}"{" selected" if w.id == chosen_window else ""}>{escape(w.name)}</option>'
            for w in windows
        )
        window_field = ""
        window_line = f'<label>{say(WINDOW_LABEL)}<select name="window" id="window">{options}</select></label>'
    messages = ""
    if note is not None:
        messages += f'<p class="note" role="status">{say(note)}</p>'
    if problem is not None:
        messages += f'<p class="problem" role="alert">{say(problem)}</p>'
    other = "en" if language == "zh" else "zh"
    switch = f'<a href="/?lang={other}" hreflang="{other}">{"English" if other == "en" else "中文"}</a>'
    body = (
        '<body class="sign-in">\n<main>\n'
        f"<h1>{say(HEADING)}</h1>\n<nav>{switch}</nav>\n{messages}\n"
        '<form method="post" action="/sign-in">\n'
        f'<input type="hidden" name="lang" value="{language}">{window_field}\n{window_line}\n'
        f'<label>{say(CLERK_LABEL)}<input name="clerk" id="clerk" value="{escape(clerk_id)}" '
        'autocomplete="username" autofocus required></label>\n'
        f'<label>{say(PIN_LABEL)}<input name="pin" id="pin" type="password" autocomplete="current-password" required></label>\n'
        f'<button type="submit" id="sign-in">{say(SIGN_IN)}</button>\n</form>\n'
        f'<p class="office">{say(OFFICE_ONLY)}</p>\n</main>\n</body>'
    )
    return _page(language, TITLE, body)


def app_page(*, language: str, window_name: str, clerk_label: str, websocket_url: str, font_size: int = 16) -> str:
    """The terminal page of a signed-in clerk's window, with a bar to sign out."""

    def say(words: Words) -> str:
        return escape(words.in_language(language))

    head = (
        '<link rel="stylesheet" href="/static/css/xterm.css">\n'
        '<script src="/web/window-app.js"></script>\n'
        '<script src="/static/js/textual.js"></script>\n'
    )
    body = (
        '<body class="app">\n'
        '<header class="bar">'
        f'<span class="who">{escape(ON_WINDOW.format(window=window_name, clerk=clerk_label).in_language(language))}</span>'
        f'<form method="post" action="/sign-out"><button type="submit" id="sign-out">{say(SIGN_OUT)}</button></form>'
        "</header>\n"
        f'<div class="intro-dialog"><p>{say(STARTING)}</p></div>\n'
        f'<div class="closed-dialog"><p>{say(ENDED)}</p><p><a href="/app">{say(RESTART)}</a></p></div>\n'
        f'<div id="terminal" class="textual-terminal" data-session-websocket-url="{escape(websocket_url)}" '
        f'data-font-size="{int(font_size)}"></div>\n</body>'
    )
    return _page(language, Words("综合窗口", "Comprehensive window"), body, head)


def language_of(value: str | None) -> str:
    """``zh`` (the default) or ``en``."""
    return value if value in LANGUAGES else "zh"
