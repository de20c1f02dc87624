"""Where the clerk is in the six steps, what is being applied for, and for whom."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label

from window_app.domain.intake import STEPS, Intake
from window_app.domain.words import Words, tr

STEP_LABELS: dict[str, Words] = {
    "pick": Words("选择事项", "Choose"),
    "applicant": Words("申请人", "Applicant"),
    "situation": Words("情形引导", "Situation"),
    "checklist": Words("材料清单", "Materials"),
    "form": Words("一表申请", "Form"),
    "review": Words("审核受理", "Review"),
}
"""Each step's name in the header."""


def step_label(step: str) -> str:
    """A step's name in the current language."""
    return str(STEP_LABELS.get(step, step))


def applicant_summary(intake: Intake | None) -> str:
    """Who applies, in one line: the person or enterprise, and the agent acting for them."""
    if intake is None:
        return ""
    applicant = intake.applicant
    if applicant.kind == "enterprise":
        who = applicant.enterprise.name or tr("（企业名称未填）", "(enterprise name not entered)")
    else:
        who = applicant.person.name or tr("（申请人未填）", "(applicant not entered)")
    if applicant.agent is not None and applicant.agent.name:
        who += tr("，代办人 {name}", ", agent {name}", name=applicant.agent.name)
    return who


class StepHeader(Vertical):
    """The six steps with the current one highlighted, then offering and applicant.

    Args:
        step: The current step, one of :data:`~window_app.domain.intake.STEPS`.
        skipped: Steps this offering does not need (shown struck through).
    """

    DEFAULT_CSS = """
    StepHeader {
        height: auto;
        padding: 0 1;
        background: $boost;
        border-bottom: solid $primary 50%;
    }
    StepHeader #steps { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    StepHeader #subject { width: 1fr; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, step: str, *, skipped: tuple[str, ...] = (), id: str | None = "step-header") -> None:
        super().__init__(id=id)
        self.step = step
        self.skipped = skipped

    def compose(self) -> ComposeResult:
        yield Label(self.steps_line(self.app.size.width - 2), id="steps")
        yield Label("", id="subject", markup=False)

    def on_mount(self) -> None:
        self.refresh_subject()

    def on_resize(self, event: events.Resize) -> None:
        # One line at any width: the names shrink to numbers when they do not fit.
        self.query_one("#steps", Label).update(self.steps_line(event.size.width - 2))
        self.refresh_subject(event.size.width)

    def steps_line(self, width: int) -> Content:
        """The six steps in ``width`` cells: every name, else numbers and the current step's name."""
        for separator, every_name in ((" › ", True), ("›", True), ("›", False)):
            line = self._steps(separator, every_name=every_name)
            if cell_len(line.plain) <= width:
                break
        return line

    def _steps(self, separator: str, *, every_name: bool) -> Content:
        parts: list[Content | str] = []
        for number, step in enumerate(STEPS, start=1):
            if parts:
                parts.append(Content.styled(separator, "dim"))
            text = f" {number} {step_label(step)} " if every_name or step == self.step else f" {number} "
            if step == self.step:
                parts.append(Content.styled(text, "bold reverse"))
            elif step in self.skipped:
                parts.append(Content.styled(text, "dim strike"))
            else:
                parts.append(text)
        return Content.assemble(*parts)

    def refresh_subject(self, width: int | None = None) -> None:
        """Re-read offering and applicant from the app's intake (call after editing them).

        A long offering name is shortened (…) so that the applicant stays in view.
        """
        intake: Intake | None = getattr(self.app, "intake", None)
        window = getattr(self.app, "window", None)
        label = self.query_one("#subject", Label)
        if intake is None or window is None or not intake.offering:
            label.update(tr("未选择事项", "Nothing chosen yet"))
            return
        try:
            offering_name = str(window.offering(intake.offering).bundle.name)
        except KeyError:
            offering_name = intake.offering
        subject = Words("事项：{offering}    申请人：{who}", "Applying for: {offering}    Applicant: {who}")
        who = applicant_summary(intake)
        room = (width or self.size.width or self.app.size.width) - 2 - cell_len(str(subject.format(offering="", who=who)))
        if cell_len(offering_name) > room:
            shortened = Text(offering_name)
            shortened.truncate(max(room, 8), overflow="ellipsis")
            offering_name = shortened.plain
        label.update(str(subject.format(offering=offering_name, who=who)))
