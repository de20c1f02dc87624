"""Drafts: an intake in progress survives quitting and is resumed where it was left."""

from __future__ import annotations

import datetime as dt

import pytest
from store_fixtures import NOW, newborn_intake, open_window_db, opening_intake, settings_for

from offline_cache.drafts import delete_draft, list_drafts, load_draft, save_draft


def test_a_saved_draft_survives_reopening_the_database_file(tmp_path) -> None:
    settings = settings_for(tmp_path)
    db = open_window_db(settings)
    intake = newborn_intake()
    intake.step = "checklist"
    draft_id = save_draft(db, intake, NOW, offering_name="出生一件事")
    db.close()

    reopened = open_window_db(settings)
    try:
        [summary] = list_drafts(reopened)
        assert summary.id == draft_id
        assert (summary.offering_id, summary.offering_name) == ("newborn", "出生一件事")
        assert summary.applicant_name == "王小红"
        assert summary.step == "checklist"
        loaded = load_draft(reopened, draft_id)
        assert loaded == intake  # every answer, material state and field value
    finally:
        reopened.close()


def test_saving_again_updates_the_same_draft(tmp_path) -> None:
    db = open_window_db(settings_for(tmp_path))
    try:
        intake = newborn_intake()
        draft_id = save_draft(db, intake, NOW, offering_name="出生一件事")
        assert intake.draft_id == draft_id  # set on the intake, so the next save updates

        intake.fields["child_name"] = "王小亮"
        intake.step = "form"
        assert save_draft(db, intake, NOW + dt.timedelta(minutes=5)) == draft_id

        [summary] = list_drafts(db)
        assert summary.step == "form"
        assert summary.offering_name == "出生一件事"  # kept when not given again
        assert summary.updated_at == "2026-11-27T09:35:00+08:00"
        assert load_draft(db, draft_id).fields["child_name"] == "王小亮"
    finally:
        db.close()


def test_drafts_are_listed_newest_first_with_the_enterprise_name(tmp_path) -> None:
    db = open_window_db(settings_for(tmp_path))
    try:
        older = save_draft(db, newborn_intake(), NOW)
        newer = save_draft(db, opening_intake(), NOW + dt.timedelta(hours=1))
        summaries = list_drafts(db)
        assert [summary.id for summary in summaries] == [newer, older]
        assert summaries[0].applicant_name == "贞丰县好运来餐饮有限公司"
    finally:
        db.close()


def test_a_deleted_draft_is_gone(tmp_path) -> None:
    db = open_window_db(settings_for(tmp_path))
    try:
        draft_id = save_draft(db, newborn_intake(), NOW)
        delete_draft(db, draft_id)
        delete_draft(db, draft_id)  # twice is harmless
        assert list_drafts(db) == []
        with pytest.raises(KeyError):
            load_draft(db, draft_id)
    finally:
        db.close()
