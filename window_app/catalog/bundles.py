"""Reading ``[[bundle]]`` entries: integrated packages with their questions and options."""

from __future__ import annotations

from window_app.catalog.items import APPLICANT_KINDS, THEMES
from window_app.catalog.partial import Origin, PartialCatalog
from window_app.catalog.rules import read_rules
from window_app.catalog.table import Table, entry_label
from window_app.catalog.values import duplicates
from window_app.domain.catalog import Bundle, Option, Question


def read_bundle(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("bundle", data, "id", position), partial)
    bundle_id = table.identifier()
    name = table.words("name")
    theme = table.one_of("theme", THEMES, required=True, default="personal")
    applicant_kind = table.one_of("applicant_kind", APPLICANT_KINDS, default="person")
    lead_department = table.text("lead_department", required=True)
    mandatory = table.texts("mandatory", required=True)
    optional = table.texts("optional")
    questions = _read_questions(table, optional, mandatory)
    regions = table.texts("regions")
    regions_under = table.texts("regions_under")
    hot = table.flag("hot")
    local = table.flag("local")
    survey = table.flag("survey")
    keywords = table.texts("keywords")
    synonyms = table.texts("synonyms")
    description = table.bilingual("description")
    promised_days = table.integer("promised_days", minimum=0)
    rules = read_rules(table, bundle=bundle_id)
    table.finish()

    if "mandatory" in data and not mandatory:
        table.problem("'mandatory' must list at least one item")
    for duplicate in duplicates(mandatory + optional):
        where = "both mandatory and optional" if duplicate in mandatory and duplicate in optional else "listed twice"
        table.problem(f"item '{duplicate}' is {where}")
    if not (regions or regions_under):
        table.problem("offered nowhere: give it 'regions' or 'regions_under'")

    bundle = Bundle(
        id=bundle_id,
        name=name,
        theme=theme,
        lead_department=lead_department,
        mandatory=mandatory,
        optional=optional,
        questions=questions,
        regions=regions,
        regions_under=regions_under,
        hot=hot,
        local=local,
        survey=survey,
        keywords=keywords,
        synonyms=synonyms,
        description=description,
        applicant_kind=applicant_kind,
        promised_days=promised_days,
        rules=rules,
    )
    if partial.register("offering", bundle_id, "bundle", Origin(rel, table.entry)):
        partial.bundles[bundle_id] = bundle


def _read_questions(table: Table, optional: tuple[str, ...], mandatory: tuple[str, ...]) -> tuple[Question, ...]:
    if "question" not in table.data:
        table.known.add("question")
        return ()
    # Bundles made from one template repeat the same questions: read once per distinct text
    # (and item lists, which the options are checked against). Cached only when read without a
    # problem, so reading it again would report nothing either.
    raw = (repr(table.data["question"]), optional, mandatory)
    cached = table.partial.question_lists.get(raw)
    if cached is not None:
        table.known.add("question")
        return cached
    problems_before = len(table.partial.problems)
    found = _read_question_tables(table, optional, mandatory)
    if len(table.partial.problems) == problems_before:
        table.partial.question_lists[raw] = found
    return found


def _read_question_tables(table: Table, optional: tuple[str, ...], mandatory: tuple[str, ...]) -> tuple[Question, ...]:
    questions: list[Question] = []
    for position, data in enumerate(table.tables("question"), start=1):
        sub = table.child(data, entry_label("question", data, "id", position))
        question_id = sub.identifier()
        text = sub.words("text")
        default = sub.text("default")
        options = _read_options(sub, optional, mandatory)
        sub.finish()
        if len(options) == 1:
            sub.problem("a question needs at least two options")
        if default and options and all(o.value != default for o in options):
            values = ", ".join(f"'{o.value}'" for o in options)
            sub.problem(f"'default' '{default}' is not among the options ({values})")
        if question_id and any(q.id == question_id for q in questions):
            sub.problem(f"duplicate question id '{question_id}' in this bundle")
        questions.append(table.partial.share(Question(id=question_id, text=text, options=options, default=default)))
    return table.partial.share(tuple(questions))


def _read_options(question: Table, optional: tuple[str, ...], mandatory: tuple[str, ...]) -> tuple[Option, ...]:
    options: list[Option] = []
    for position, data in enumerate(question.tables("option", required=True), start=1):
        sub = question.child(data, entry_label("option", data, "value", position))
        option = Option(
            value=sub.text("value", required=True),
            label=sub.words("label"),
            enables=sub.texts("enables"),
        )
        sub.finish()
        for item_id in option.enables:
            if item_id in optional:
                continue
            why = "it is mandatory" if item_id in mandatory else "it is not among the bundle's 'optional' items"
            sub.problem(f"enables '{item_id}', but {why}: options may only switch on optional items")
        if option.value and any(o.value == option.value for o in options):
            sub.problem(f"duplicate option value '{option.value}'")
        options.append(question.partial.share(option))
    return question.partial.share(tuple(options))
