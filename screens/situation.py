"""Step 3: answer the bundle's situational questions (情形引导) and choose the optional items.

Answers switch optional items on; the applicant may still decline them, or choose others
(only mandatory items are fixed). The right-hand pane recounts items, departments, materials
and stages at every change, so the applicant sees what each choice costs.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, Label, RadioButton, RadioSet

from screens.notice_printing import ONE_TIME_WORDS, print_one_time_notice
from screens.step import StepScreen
from screens.widgets.choices import ChoiceButton, ChoiceSet, TickBox
from screens.widgets.localized import WordsBinding
from screens.widgets.offering_preview import OfferingPreview, department_name, hanging
from window_app.domain.words import counted, tr
from window_app.intake.guide import Guide, reconcile_intake
from window_app.intake.selection import effective_answers, enabled_by_answers

NARROW_WIDTH = 100
"""Below this many columns the plan on the right gets less room (``-narrow``)."""

ANSWER_GAP = 3
"""Cells between two answers side by side (RadioSet.answers > RadioButton's right margin)."""


BUTTON_CELLS = 4
"""The toggle's button and the space after it (``▐●▌ ``): a wrapped label continues under its text."""


class WrappingRadioButton(ChoiceButton):
    """A radio button whose long label wraps under its own text instead of being cut."""

    def render(self) -> Content:
        return hanging(super().render(), self.content_region.width, BUTTON_CELLS)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(hanging(super().render(), width, BUTTON_CELLS).split("\n"))


class WrappingCheckbox(TickBox):
    """A checkbox whose long label wraps under its own text instead of being cut."""

    def render(self) -> Content:
        return hanging(super().render(), self.content_region.width, BUTTON_CELLS)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(hanging(super().render(), width, BUTTON_CELLS).split("\n"))


class HangingLabel(Label):
    """A label whose wrapped lines continue under its text, not under its mark (``✓ ``)."""

    def __init__(self, text: str, *, indent: int, classes: str | None = None) -> None:
        super().__init__(text, classes=classes, markup=False)
        self.indent = indent

    def render(self) -> Content:
        return hanging(Content(str(super().render())), self.content_region.width, self.indent)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(hanging(Content(str(super().render())), width, self.indent).split("\n"))


def answers_width(radio_set: RadioSet) -> int:
    """Cells the answers of ``radio_set`` need side by side (button, label, gap)."""
    return sum(4 + cell_len(str(button.label)) + ANSWER_GAP for button in radio_set.query(RadioButton))


class SituationScreen(StepScreen):
    """Questions as radio sets, optional items as checkboxes, mandatory items listed; P prints
    the 一次性告知书 under the answers given (an applicant who lacks something takes it home)."""

    STEP = "situation"
    CSS_PATH = "situation.tcss"

    BINDINGS = [WordsBinding("p", "one_time_notice", words=ONE_TIME_WORDS)]

    def compose_body(self) -> ComposeResult:
        bundle = self.window.offering(self.intake.offering).bundle
        catalog = self.window.catalog
        guide = self.window.guide(self.intake)
        selected = {item.id: on for item, on in guide.optional}
        with Horizontal(id="situation-main"):
            with VerticalScroll(id="situation-choices"):
                if bundle.questions:
                    yield Label(tr("情形引导", "Questions"), classes="section-title")
                for number, question in enumerate(bundle.questions):
                    answer = self.intake.answers.get(question.id, question.default)
                    with Horizontal(classes="question"):  # the number hangs left of a wrapped text
                        yield Label(f"{number + 1}.", classes="question-number")
                        yield Label(str(question.text), classes="question-text", markup=False)
                    yield ChoiceSet(
                        *(
                            WrappingRadioButton(str(option.label), value=option.value == answer, name=option.value)
                            for option in question.options
                        ),
                        name=question.id,
                        classes="answers",
                        compact=True,
                    )
                if bundle.optional:
                    yield Label(tr("可选事项（由申请人选择）", "Optional items (the applicant chooses)"), classes="section-title")
                    for item_id in bundle.optional:
                        item = catalog.items[item_id]
                        yield WrappingCheckbox(
                            f"{item.name} — {department_name(catalog, item.department)}",
                            selected.get(item_id, False),
                            name=item_id,
                            classes="optional",
                            compact=True,
                        )
                    yield Label("", id="suggested", classes="note")
                yield Label(tr("必办事项", "Mandatory items"), classes="section-title")
                for item_id in bundle.mandatory:
                    item = catalog.items[item_id]
                    yield HangingLabel(
                        f"✓ {item.name} — {department_name(catalog, item.department)}", indent=2, classes="mandatory"
                    )
            with Vertical(id="situation-side"):
                yield Label("", id="situation-count")
                yield OfferingPreview(id="situation-summary")

    def on_mount(self) -> None:
        self.query_one("#situation-summary").border_title = tr("本次办理", "This application")
        self._refresh(scroll=True)
        first = self.query("RadioSet, Checkbox").first()
        first.focus()
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """Give the plan less room when narrow; stack answers that do not fit side by side."""
        self.set_class(width < NARROW_WIDTH, "-narrow")
        choices = self.query_one("#situation-choices")
        room = choices.content_region.width or width * 3 // 5 - 2
        for radio_set in self.query(RadioSet).filter(".answers"):
            radio_set.set_class(answers_width(radio_set) + 3 > room, "-stacked")

    # -- widgets → intake ----------------------------------------------------------------

    def commit(self) -> None:
        """Copy the answers into the intake and fit materials and fields to them."""
        for radio_set in self.query(RadioSet):
            pressed = radio_set.pressed_button
            if pressed is not None and radio_set.name and pressed.name:
                self.intake.answers[radio_set.name] = pressed.name
        reconcile_intake(self.intake, self.window.guide(self.intake))

    @on(RadioSet.Changed)
    def _answered(self, event: RadioSet.Changed) -> None:
        self.commit()
        self._refresh()

    @on(Checkbox.Changed, ".optional")
    def _toggled(self, event: Checkbox.Changed) -> None:
        item_id = event.checkbox.name or ""
        want = event.value
        intake = self.intake
        # The applicant's choice wins over what the answers suggest: undo the opposite
        # record first, and add one only if the guide still disagrees.
        if want:
            intake.declined_optional = [i for i in intake.declined_optional if i != item_id]
        else:
            intake.chosen_optional = [i for i in intake.chosen_optional if i != item_id]
        if self._selected(self.window.guide(intake)).get(item_id) != want:
            target = intake.chosen_optional if want else intake.declined_optional
            if item_id not in target:
                target.append(item_id)
        self.commit()
        self._refresh()

    def action_one_time_notice(self) -> None:
        """P: print the 一次性告知书 under the answers given so far."""
        print_one_time_notice(self)

    # -- guide → widgets -----------------------------------------------------------------

    @staticmethod
    def _selected(guide: Guide) -> dict[str, bool]:
        return {item.id: on for item, on in guide.optional}

    def _refresh(self, *, scroll: bool = False) -> None:
        """Follow the guide: checkboxes, the suggestion note, the counts and the plan."""
        guide = self.window.guide(self.intake)
        selected = self._selected(guide)
        for checkbox in self.query(".optional").results(Checkbox):
            value = selected.get(checkbox.name or "", False)
            if checkbox.value != value:
                with checkbox.prevent(Checkbox.Changed):
                    checkbox.value = value
        bundle = guide.offering.bundle
        suggested = enabled_by_answers(bundle, effective_answers(bundle, self.intake))
        if self.query("#suggested"):
            names = [str(self.window.catalog.items[i].name) for i in bundle.optional if i in suggested]
            self.query_one("#suggested", Label).update(
                tr("按以上回答建议办理：{names}", "Suggested by the answers: {names}", names="、".join(names))
                if names
                else ""
            )
        self.query_one("#situation-count", Label).update(
            tr(
                "共 {items} 项事项 · {departments} 个部门 · 材料 {after} 份（逐项需 {before} 份）",
                "{item_count} · {department_count} · {materials} ({before} item by item)",
                item_count=counted(len(guide.items), "item"),
                department_count=counted(len(guide.departments), "department"),
                materials=counted(len(guide.checklist.lines), "material"),
                items=len(guide.items),
                departments=len(guide.departments),
                after=len(guide.checklist.lines),
                before=guide.checklist.requirements,
            )
        )
        self.query_one("#situation-summary", OfferingPreview).show_guide(
            self.window.catalog, guide, heading=False, keep_scroll=not scroll
        )
        self.refresh_step_header()
