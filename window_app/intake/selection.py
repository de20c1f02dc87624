"""Which items an application contains, given the situational answers and the applicant's choices."""

from __future__ import annotations

from window_app.domain.catalog import Bundle, Catalog, Item
from window_app.domain.intake import Intake


def effective_answers(bundle: Bundle, intake: Intake) -> dict[str, str]:
    """Every question of the bundle answered: the intake's answer, else the question's default.

    Answers to questions the bundle does not ask are left out, so a stray answer can never
    switch on a conditional material or field (validation reports it instead).
    """
    return {question.id: intake.answers.get(question.id, question.default) for question in bundle.questions}


def enabled_by_answers(bundle: Bundle, answers: dict[str, str]) -> set[str]:
    """Optional item ids the given answers switch on."""
    enabled: set[str] = set()
    for question in bundle.questions:
        option = question.option(answers.get(question.id, question.default))
        if option is not None:
            enabled.update(option.enables)
    return enabled


def is_optional_selected(bundle: Bundle, intake: Intake, item_id: str) -> bool:
    """An optional item is in when an answer switches it on and it was not declined, or when
    the applicant chose it."""
    enabled = enabled_by_answers(bundle, effective_answers(bundle, intake))
    if item_id in intake.chosen_optional:
        return True
    return item_id in enabled and item_id not in intake.declined_optional


def selected_items(catalog: Catalog, bundle: Bundle, intake: Intake) -> tuple[Item, ...]:
    """The items of this application: every mandatory item, then the selected optional ones.

    Order is the bundle's (mandatory first, then optional as listed); the dispatch plan puts
    them in stage order.
    """
    optional = tuple(item for item, selected in optional_states(catalog, bundle, intake) if selected)
    return tuple(catalog.items[item_id] for item_id in bundle.mandatory) + optional


def optional_states(catalog: Catalog, bundle: Bundle, intake: Intake) -> tuple[tuple[Item, bool], ...]:
    """Each optional item of the bundle, in the bundle's order, and whether it is selected."""
    enabled = enabled_by_answers(bundle, effective_answers(bundle, intake))
    states = []
    for item_id in bundle.optional:
        selected = item_id in intake.chosen_optional or (
            item_id in enabled and item_id not in intake.declined_optional
        )
        states.append((catalog.items[item_id], selected))
    return tuple(states)
