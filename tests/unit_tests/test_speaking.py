"""speaking(): a notice in the applicant's language while the clerk's screens keep theirs."""

from __future__ import annotations

import threading

import pytest

from window_app.domain.words import Words, language, set_language, speaking, tr

ACCEPTED = Words("已受理", "Accepted")


def test_inside_the_block_words_are_in_its_language_and_outside_as_before() -> None:
    set_language("en")
    try:
        with speaking("zh"):
            assert str(ACCEPTED) == "已受理" and tr("受理", "Accept") == "受理" and language() == "zh"
            with speaking(""):  # "" keeps the block's language
                assert str(ACCEPTED) == "已受理"
        assert str(ACCEPTED) == "Accepted" and language() == "en"
    finally:
        set_language("zh")


def test_another_thread_keeps_the_interface_language_meanwhile() -> None:
    set_language("en")
    inside, seen = threading.Event(), []
    done = threading.Event()

    def screens() -> None:
        inside.wait(5)
        seen.append(str(ACCEPTED))
        done.set()

    thread = threading.Thread(target=screens)
    thread.start()
    try:
        with speaking("zh"):
            inside.set()
            done.wait(5)
            assert str(ACCEPTED) == "已受理"
    finally:
        thread.join(5)
        set_language("zh")
    assert seen == ["Accepted"]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"), speaking("fr"):
        pass
