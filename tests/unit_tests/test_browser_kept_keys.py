"""No action is reachable only by a key a browser keeps (Ctrl+N, Ctrl+T, Ctrl+W, Ctrl+Q …).

Walks every Screen, Widget and App class defined in ``screens/`` (their bindings as Textual
merges them, inherited ones included) against :data:`screens.browser_keys.KEPT_BY_BROWSERS`.
The keys of Textual's own widgets that browsers keep are the few listed in
:data:`screens.browser_keys.TEXTUAL_ACTIONS_LOST_IN_BROWSERS`, and no more.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

import screens
from screens.browser_keys import KEPT_BY_BROWSERS, TEXTUAL_ACTIONS_LOST_IN_BROWSERS, kept_by_browsers


def screen_classes() -> list[type[DOMNode]]:
    """Every DOMNode subclass defined in a module of the ``screens`` package."""
    found: dict[str, type[DOMNode]] = {}
    for info in pkgutil.walk_packages(screens.__path__, prefix="screens."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def keys_by_action(cls: type[DOMNode]) -> dict[str, list[str]]:
    """Action → the keys bound to it on ``cls`` (its own bindings and those it inherits)."""
    merged = cls._merged_bindings
    assert merged is not None
    keys: dict[str, list[str]] = {}
    for key, binding in merged:
        keys.setdefault(binding.action, []).append(key)
    return keys


def ours() -> set[tuple[str, str]]:
    """``(action, key)`` of every binding declared in a ``BINDINGS`` of a class in ``screens/``."""
    return {
        (binding.action, binding.key)
        for cls in screen_classes()
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", ()))
    }


def browser_only(cls: type[DOMNode]) -> dict[str, list[str]]:
    """The actions of ``cls`` whose every key is kept by browsers, Textual's known few aside."""
    return {
        action: keys
        for action, keys in keys_by_action(cls).items()
        if all(kept_by_browsers(key) for key in keys)
        and not all((action, key) in TEXTUAL_ACTIONS_LOST_IN_BROWSERS for key in keys)
    }


def test_the_walk_finds_the_screens_and_the_keys_they_had_only_in_a_terminal() -> None:
    names = {cls.__name__ for cls in screen_classes()}
    assert {"WindowApp", "PickScreen", "StepScreen", "ReviewScreen", "ApplicationsScreen", "HelpScreen"} <= names
    assert len([cls for cls in screen_classes() if issubclass(cls, Screen)]) >= 20
    # The keys this was made for: Ctrl+N on every step, Ctrl+T on the applications, Ctrl+Q.
    from screens.applications import ApplicationsScreen
    from screens.form import FormScreen

    assert "ctrl+n" in keys_by_action(FormScreen)["next"]
    assert "ctrl+t" in keys_by_action(ApplicationsScreen)["toggle_scope"]
    assert {"ctrl+n", "ctrl+t", "ctrl+w", "ctrl+shift+t", "ctrl+tab"} <= KEPT_BY_BROWSERS


def test_a_class_with_only_browser_kept_keys_is_caught() -> None:
    class OnlyCtrlN(Screen[None]):
        BINDINGS = [Binding("ctrl+n", "next", "Next"), Binding("ctrl+w,ctrl+t", "close", "Close"), Binding("f5", "sync")]

    assert browser_only(OnlyCtrlN) == {"next": ["ctrl+n"], "close": ["ctrl+w", "ctrl+t"]}


def test_textuals_own_keys_lost_in_a_browser_are_the_known_few() -> None:
    """Textual's Input binds Ctrl+W (delete a word); its containers Ctrl+PgUp/PgDn (page sideways)."""
    from textual.widgets import Input

    lost = {
        (action, key)
        for cls in [*screen_classes(), Input]
        for action, keys in keys_by_action(cls).items()
        for key in keys
        if kept_by_browsers(key)
    }
    assert lost - ours() == TEXTUAL_ACTIONS_LOST_IN_BROWSERS


def test_every_action_has_a_key_that_browsers_pass() -> None:
    problems = {
        f"{cls.__module__}.{cls.__qualname__}": only for cls in screen_classes() if (only := browser_only(cls))
    }
    assert not problems, f"actions bound only to keys a browser keeps (add Alt+letter, screens/browser_keys.py): {problems}"


def test_the_footer_in_a_browser_shows_a_key_that_passes_a_hidden_one_if_need_be() -> None:
    from screens.widgets.key_footer import browser_keys_first

    def keys(*bindings: Binding) -> list[tuple[Binding, bool, str]]:
        return [(binding, True, "") for binding in bindings]

    shown = {
        "next": keys(Binding("ctrl+n", "next", "开始办理"), Binding("alt+n", "next", "开始办理")),
        "start": keys(Binding("ctrl+n", "start", "开始办理")),
        "close": keys(Binding("ctrl+w", "close", "关闭")),
        "sync": keys(Binding("f5", "sync", "同步")),
    }
    hidden = {"start": keys(Binding("enter", "start", "", show=False))}
    chosen = browser_keys_first(shown, hidden)
    assert [(b.key, b.description) for action in chosen for b, _e, _t in chosen[action]] == [
        ("alt+n", "开始办理"),
        ("enter", "开始办理"),  # the hidden Enter, in the words of the Ctrl+N it replaces
        ("ctrl+w", "关闭"),  # nothing passes: left as it is (the walk above forbids such an action)
        ("f5", "同步"),
    ]
