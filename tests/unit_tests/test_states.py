"""The words for application and part states: one table for the screens and the CLI."""

from __future__ import annotations

import pytest

from window_app.domain import applications
from window_app.domain.states import (
    APPLICATION_STATE_WORDS,
    PART_STATE_WORDS,
    application_state_label,
    part_state_label,
)
from window_app.domain.words import set_language


@pytest.fixture(autouse=True)
def _chinese():
    set_language("zh")
    yield
    set_language("zh")


def test_every_state_the_domain_defines_has_words() -> None:
    assert set(APPLICATION_STATE_WORDS) == set(applications.APPLICATION_STATES)
    assert set(PART_STATE_WORDS) == set(applications.PART_STATES)


def test_a_part_rejected_is_not_an_application_rejected() -> None:
    assert application_state_label("rejected") == "不予受理"
    assert part_state_label("rejected") == "不予许可"


def test_words_follow_the_language_and_unknown_states_show_their_code() -> None:
    set_language("en")
    assert application_state_label("in_progress") == "in progress"
    assert part_state_label("waiting") == "awaiting a prerequisite"
    assert part_state_label("teleported") == "teleported"
    assert application_state_label("") == ""
