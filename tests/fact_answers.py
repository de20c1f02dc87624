"""Answers to the shipped catalog's questions of fact, as a clerk gives them after asking.

Questions of fact have no default (docs/catalog-format.md): a fresh intake leaves them
unanswered and the situation step refuses to go on. Tests that build an intake in code and are
about something else answer them with these (the answers the catalog used to assume).
"""

from __future__ import annotations

from window_app.domain.intake import Intake
from window_app.window import Window

FACT_ANSWERS: dict[str, dict[str, str]] = {
    "restaurant_opening": {"has_licence": "no", "large_venue": "no", "fumes": "no"},
    "utilities_installation": {"dig_road": "no"},
    "enterprise_deregistration": {"simplified": "no", "has_housing_fund": "no"},
    "construction_land_survey": {
        "has_project_approval": "yes",
        "involves_forest": "no",
        "near_water": "no",
        "near_highway": "no",
    },
    "facility_farmland_survey": {"facility_kind": "crop", "involves_forest": "no", "near_water": "no"},
    "house_transfer": {"buyer_marital": "unmarried", "has_gas": "no"},
    "newborn": {"parents_married": "yes", "mother_employee_insured": "no"},
    "retirement": {"retire_type": "normal", "has_housing_fund": "yes"},
    "death_affairs": {"had_pension": "yes", "had_housing_fund": "no", "has_vehicle": "no", "has_property": "no"},
    "school_enrolment": {"residence_type": "own", "hukou_local": "yes"},
    "veteran_resettlement": {"resettlement": "self_employment", "military_housing_fund": "no"},
    "disability_services": {"low_income": "no", "severe": "no"},
}


def answered_intake(window: Window, offering_id: str) -> Intake:
    """``window.new_intake(offering_id)`` with its questions of fact answered."""
    intake = window.new_intake(offering_id)
    for question_id, value in FACT_ANSWERS.get(offering_id, {}).items():
        intake.answers.setdefault(question_id, value)
    return intake
