"""Keys a browser keeps for itself: the app in a browser tab never sees them.

Under ``textual-serve`` the page is an xterm.js terminal. xterm.js turns every key it can
encode (Ctrl+letters, F1–F12, Esc, arrows …) into the terminal's bytes and calls
``preventDefault()`` on the key event, so the browser does not also reload, print, find or
bookmark: Ctrl+P, Ctrl+S, Ctrl+F, Ctrl+R, Ctrl+L, Ctrl+D, F1, F3, F5, F11 and F12 reach the app.
The keys below are different: the browser acts on them before the page is told a key was
pressed, whatever the page does.

Where the list comes from:

- Chromium (Chrome, Edge): ``BrowserCommandController::IsReservedCommandOrKey`` in
  ``chrome/browser/ui/browser_command_controller.cc`` reserves close tab (Ctrl+W, Ctrl+F4),
  close window (Ctrl+Shift+W, Alt+F4), new incognito window (Ctrl+Shift+N), new tab (Ctrl+T),
  new window (Ctrl+N), reopen closed tab (Ctrl+Shift+T), next and previous tab (Ctrl+Tab,
  Ctrl+Shift+Tab, Ctrl+PgDn, Ctrl+PgUp) and exit (Ctrl+Shift+Q on Linux); the keys of those
  commands are in ``chrome/browser/ui/accelerator_table.cc``. Only a browser window in full
  screen, or the page installed as an app, hands them to the page.
- Firefox: the keys marked ``reserved="true"`` in ``browser/base/content/browser-sets.inc``:
  the same tab and window keys, Ctrl+Shift+P (private window) and Ctrl+Q (quit, on Linux).
- textual-serve's page (``textual_serve/static/js/textual.js``, xterm.js with no key handler
  of its own): checked in textual-serve 1.1.3.

So every action bound to one of these keys also has a key that passes (the rule: Alt with the
same letter, ``alt+n`` for ``ctrl+n``); ``tests/unit_tests/test_browser_kept_keys.py`` walks every
screen's bindings for it, and the footer in a browser shows the key that passes
(:mod:`screens.widgets.key_footer`). ``docs/browser-keys.md`` has the whole table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from screens.widgets.localized import key_name
from window_app.domain.words import Words

if TYPE_CHECKING:
    from textual.app import App

KEPT_BY_BROWSERS: frozenset[str] = frozenset(
    {
        "ctrl+n",  # new window
        "ctrl+t",  # new tab
        "ctrl+w",  # close the tab
        "ctrl+f4",  # close the tab
        "ctrl+shift+n",  # new incognito window (Chromium)
        "ctrl+shift+p",  # new private window (Firefox)
        "ctrl+shift+t",  # reopen the closed tab
        "ctrl+shift+w",  # close the window
        "alt+f4",  # close the window (the operating system)
        "ctrl+tab",  # next tab
        "ctrl+shift+tab",  # previous tab
        "ctrl+pagedown",  # next tab
        "ctrl+pageup",  # previous tab
        "ctrl+shift+q",  # quit (Chromium on Linux)
        "ctrl+q",  # quit (Firefox on Linux)
    }
)
"""Keys (Textual's names) that a browser tab never passes to the page."""


TEXTUAL_ACTIONS_LOST_IN_BROWSERS: frozenset[tuple[str, str]] = frozenset(
    {
        ("delete_left_word", "ctrl+w"),  # Textual's Input: in a browser Ctrl+W closes the tab
        ("page_left", "ctrl+pageup"),  # Textual's scrolling containers: sideways by a page;
        ("page_right", "ctrl+pagedown"),  # the window's tables fit their width, nothing to page
    }
)
"""``(action, key)`` of Textual's own widgets' keys that a browser keeps: lost there, not ours
to rebind (the screens' fields are Textual's ``Input``). The test of this module notices one
more after an upgrade of Textual."""


def kept_by_browsers(key: str) -> bool:
    """Whether a browser keeps ``key`` (Textual's name, ``ctrl+n``) for itself."""
    return key in KEPT_BY_BROWSERS


IN_A_BROWSER = Words(
    "在浏览器中：Ctrl+N、Ctrl+T、Ctrl+W、Ctrl+Q 由浏览器占用（新窗口、新标签页、关闭标签页、退出浏览器），"
    "本程序收不到。请改按 Alt 加同一字母：Alt+N 下一步或开始办理，Alt+T 切换办件范围，Alt+Q 退出。"
    "页脚显示的就是在浏览器中可用的按键。",
    "In a browser: the browser keeps Ctrl+N, Ctrl+T, Ctrl+W and Ctrl+Q for itself (new window, "
    "new tab, close the tab, quit the browser); this program never sees them. Press Alt with the "
    "same letter instead: Alt+N next or start, Alt+T switches the applications' scope, Alt+Q quits. "
    "The footer shows the keys that work in a browser.",
)
"""What the F1 help says in a browser (:mod:`screens.help`)."""


def key_here(app: App, *keys: str) -> str:
    """The first of ``keys`` that reaches ``app`` where it runs, as a clerk reads it.

    In a terminal the first (``ctrl+t`` → ``Ctrl+T``); in a browser (``app.is_web``) the first
    the browser passes (``Alt+T``). For words that name a key: ``按 {key} 查看全部``.
    """
    usable = [key for key in keys if not (app.is_web and kept_by_browsers(key))]
    return key_name((usable or list(keys))[0])
