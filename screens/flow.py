"""The order of the steps, and which screen shows each.

Screens are named by their class and imported when first shown (through the package's lazy
names, :mod:`screens`), so starting the app imports only the pick screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import screens
from window_app.domain.intake import STEPS, Intake

if TYPE_CHECKING:
    from textual.screen import Screen

    from window_app.window import Window

STEP_SCREENS: dict[str, str] = {
    "pick": "PickScreen",
    "applicant": "ApplicantScreen",
    "situation": "SituationScreen",
    "checklist": "ChecklistScreen",
    "form": "FormScreen",
    "review": "ReviewScreen",
}
"""Step → the class of its screen (a lazy name of :mod:`screens`)."""


def screen_class(step: str) -> type[Screen]:
    """The screen class of a step, imported on first use.

    Raises:
        KeyError: Not a step.
    """
    return getattr(screens, STEP_SCREENS[step])


def screen_for(step: str) -> Screen:
    """A new screen for a step."""
    return screen_class(step)()


def has_situation(window: Window, intake: Intake) -> bool:
    """Whether the offering asks anything at the situation step (questions or optional items)."""
    bundle = window.offering(intake.offering).bundle
    return bool(bundle.questions or bundle.optional)


def skipped_steps(window: Window, intake: Intake) -> tuple[str, ...]:
    """Steps this intake's offering does not need."""
    try:
        return () if has_situation(window, intake) else ("situation",)
    except KeyError:
        return ()


def next_step(window: Window, intake: Intake, step: str) -> str | None:
    """The step after ``step`` for this intake (``None`` after the last)."""
    skipped = skipped_steps(window, intake)
    for candidate in STEPS[STEPS.index(step) + 1 :]:
        if candidate not in skipped:
            return candidate
    return None


def previous_step(window: Window, intake: Intake, step: str) -> str | None:
    """The step before ``step`` for this intake (``None`` before the first)."""
    skipped = skipped_steps(window, intake)
    for candidate in reversed(STEPS[: STEPS.index(step)]):
        if candidate not in skipped:
            return candidate
    return None
