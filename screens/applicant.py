"""Step 2: who applies (a person or an enterprise) and who acts for them (代办人).

Every field is checked as it is typed: the window's applicant check is asked for that field's
path and its answer is shown under the field, in red, in the clerk's language. A "required"
message waits until the clerk leaves the field (or presses Ctrl+N); a format message shows as
soon as the value is long enough to judge, and disappears the moment it is fixed.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.scalar import Unit
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet

from screens.step import StepScreen
from screens.widgets.choices import ChoiceButton, ChoiceSet, TickBox
from screens.widgets.field_row import SHORT_HEIGHT, CodeInput, FieldRow, fit_labels, mark_problems
from screens.widgets.localized import WordsBinding
from window_app.domain.intake import Enterprise, Person, Problem
from window_app.domain.words import Words, counted, tr
from window_app.intake.validate import allowed_applicant_kinds

# Input id → problem path. The id's prefix names the person it belongs to.
PATHS: dict[str, str] = {
    "person-name": "applicant.person.name",
    "person-id": "applicant.person.id_number",
    "person-phone": "applicant.person.phone",
    "enterprise-name": "applicant.enterprise.name",
    "enterprise-uscc": "applicant.enterprise.uscc",
    "legal-name": "applicant.enterprise.legal_representative.name",
    "legal-id": "applicant.enterprise.legal_representative.id_number",
    "legal-phone": "applicant.enterprise.legal_representative.phone",
    "agent-name": "applicant.agent.name",
    "agent-id": "applicant.agent.id_number",
    "agent-phone": "applicant.agent.phone",
}

SECTION_MAX = 90
"""The widest a section of fields gets (``.section`` in applicant.tcss)."""

FRAME = 8
"""Cells around the rows: the step body's and the form's padding, the scroll bar."""

# A value this long can be judged while it is still being typed.
JUDGE_AT = {"id_number": 18, "uscc": 18, "phone": 11}


class ApplicantScreen(StepScreen):
    """Applicant kind, the applicant's (or enterprise's) identity, and the agent."""

    STEP = "applicant"
    CSS_PATH = "applicant.tcss"

    _built_with: dict[str, str] = {}  # noqa: RUF012  (replaced per screen in on_mount)

    BINDINGS = [
        WordsBinding("f6", "contact_is_legal_rep", words=Words("联系人同法定代表人", "Contact = legal rep.")),
    ]

    def compose_body(self) -> ComposeResult:
        applicant = self.intake.applicant
        enterprise = applicant.enterprise
        legal = enterprise.legal_representative
        agent = applicant.agent or Person()
        allowed = allowed_applicant_kinds(self.window.catalog, self.window.offering(self.intake.offering))
        with VerticalScroll(id="applicant-form"):
            yield FieldRow(
                tr("申请人类型", "Applicant is"),
                ChoiceSet(
                    ChoiceButton(
                        tr("个人", "Person"),
                        value=applicant.kind == "person",
                        id="kind-person",
                        disabled="person" not in allowed,
                    ),
                    ChoiceButton(
                        tr("企业", "Enterprise"),
                        value=applicant.kind == "enterprise",
                        id="kind-enterprise",
                        disabled="enterprise" not in allowed,
                    ),
                    id="kind",
                ),
                path="applicant.kind",
                id="kind-row",
            )
            with Vertical(id="enterprise-section", classes="section"):
                yield Label(tr("企业", "Enterprise"), classes="section-title")
                yield self._row(tr("企业名称", "Name"), Input(enterprise.name, id="enterprise-name"), required=True)
                yield self._row(
                    tr("统一社会信用代码", "Credit code (USCC)"),
                    CodeInput(enterprise.uscc, id="enterprise-uscc"),
                    hint=tr("18位；新设立企业（企业开办）尚无代码时可不填", "18 characters; leave empty for an enterprise not yet registered"),
                )
                yield self._row(tr("法定代表人", "Legal rep."), Input(legal.name, id="legal-name"))
                yield self._row(tr("法定代表人身份证", "Legal rep. ID"), CodeInput(legal.id_number, id="legal-id"))
                yield self._row(tr("法定代表人电话", "Legal rep. phone"), Input(legal.phone, id="legal-phone"))
            with Vertical(id="person-section", classes="section"):
                yield Label("", id="person-title", classes="section-title")
                yield self._row(tr("姓名", "Name"), Input(applicant.person.name, id="person-name"), required=True)
                yield self._row(
                    tr("身份证号码", "Resident ID"),
                    CodeInput(applicant.person.id_number, id="person-id"),
                    hint=tr("18位居民身份证号码，末位可为X", "18 characters; the last may be X"),
                )
                yield self._row(tr("联系电话", "Phone"), Input(applicant.person.phone, id="person-phone"), required=True)
            with Horizontal(id="agent-line"):
                yield TickBox(tr("由代办人办理", "An agent acts for the applicant"), applicant.agent is not None, id="agent-toggle")
            with Vertical(id="agent-section", classes="section"):
                yield Label(tr("代办人", "Agent"), classes="section-title")
                yield self._row(tr("代办人姓名", "Agent's name"), Input(agent.name, id="agent-name"), required=True)
                yield self._row(tr("代办人身份证", "Agent's resident ID"), CodeInput(agent.id_number, id="agent-id"), required=True)
                yield self._row(tr("代办人电话", "Agent's phone"), Input(agent.phone, id="agent-phone"), required=True)

    def _row(self, label: str, control: Input, *, required: bool = False, hint: str = "") -> FieldRow:
        assert control.id is not None
        return FieldRow(label, control, path=PATHS[control.id], required=required, hint=hint, id=f"{control.id}-row")

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """One label column for every row; the agent checkbox under the controls; closed up
        on a short terminal."""
        self.set_class(height < SHORT_HEIGHT, "-short")
        rows = list(self.query(FieldRow))
        fit_labels(rows, min(SECTION_MAX, width - FRAME))
        label_width = self.query_one("#kind-row .field-label", Label).styles.width
        indent = int(label_width.value) if label_width is not None and label_width.unit == Unit.CELLS else 0
        self.query_one("#agent-line").styles.margin = (1, 0, 0, indent)

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)
        # Each filled input reports its first value once mounted: checked below, not again.
        self._built_with = {field.id: field.value for field in self.query(Input) if field.value}
        self._show_sections()
        # A resumed draft (or a language switch) shows what is wrong with what was typed
        # (one check of the step for all fields, as _check would do field by field).
        self.commit()
        problems = self.window.validate(self.intake, "applicant")
        for row in self.query(FieldRow):
            if isinstance(row.control, Input) and row.control.value:
                row.show_problem(next((p for p in problems if p.path == row.path), None))
        kind_problem = [p for p in problems if p.path == "applicant.kind"]
        mark_problems(self, kind_problem, paths=["applicant.kind"])
        first = "#enterprise-name" if self._kind() == "enterprise" else "#person-name"
        self.query_one(first, Input).focus()

    # -- widgets → intake ----------------------------------------------------------------

    def _kind(self) -> str:
        return "enterprise" if self.query_one("#kind-enterprise", RadioButton).value else "person"

    def _value(self, input_id: str) -> str:
        return self.query_one(f"#{input_id}", Input).value.strip()

    def _person(self, prefix: str) -> Person:
        return Person(
            name=self._value(f"{prefix}-name"),
            id_number=self._value(f"{prefix}-id"),
            phone=self._value(f"{prefix}-phone"),
        )

    def commit(self) -> None:
        """Copy the form into the intake (the enterprise part only for an enterprise)."""
        applicant = self.intake.applicant
        applicant.kind = self._kind()  # type: ignore[assignment]
        applicant.person = self._person("person")
        if applicant.kind == "enterprise":
            applicant.enterprise = Enterprise(
                name=self._value("enterprise-name"),
                uscc=self._value("enterprise-uscc"),
                legal_representative=self._person("legal"),
            )
        else:
            applicant.enterprise = Enterprise()
        applicant.agent = self._person("agent") if self.query_one("#agent-toggle", Checkbox).value else None

    # -- checks --------------------------------------------------------------------------

    def _check(self, row: FieldRow, *, typing: bool) -> None:
        """Check one field against the window's rules and show the answer under it."""
        self.commit()
        problems = [p for p in self.window.validate(self.intake, "applicant") if p.path == row.path]
        problem = problems[0] if problems else None
        if typing and problem is not None and row.problem is None and not self._judgeable(row):
            return  # still typing: too early to complain
        row.show_problem(problem)

    def _judgeable(self, row: FieldRow) -> bool:
        value = row.control.value if isinstance(row.control, Input) else ""
        kind = row.path.rsplit(".", 1)[-1]
        length = JUDGE_AT.get(kind)
        return length is not None and len(value.strip()) >= length

    def _editing(self) -> bool:
        """Whether this screen is the one the clerk is working in (not being replaced)."""
        return self.is_current and self.window_app.intake is not None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if not self._editing():
            return
        if event.input.id in self._built_with and self._built_with.pop(event.input.id) == event.value:
            return  # the value it was built with, checked in on_mount
        row = event.input.query_ancestor(FieldRow)
        self._check(row, typing=True)
        self.refresh_step_header()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        if not self._editing():
            return
        self._check(event.input.query_ancestor(FieldRow), typing=False)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        # Enter moves to the next field, like Tab: clerks type a field and press Enter.
        event.stop()
        self.focus_next()

    @on(RadioSet.Changed, "#kind")
    def _kind_changed(self) -> None:
        self._show_sections()
        self.refresh_bindings()
        self.commit()
        kind_problem = [p for p in self.window.validate(self.intake, "applicant") if p.path == "applicant.kind"]
        mark_problems(self, kind_problem, paths=["applicant.kind"])
        self.refresh_step_header()

    @on(Checkbox.Changed, "#agent-toggle")
    def _agent_changed(self) -> None:
        self._show_sections()
        self.commit()
        self.refresh_step_header()
        if self.query_one("#agent-toggle", Checkbox).value:
            self.query_one("#agent-name", Input).focus()

    def _show_sections(self) -> None:
        enterprise = self._kind() == "enterprise"
        self.query_one("#enterprise-section").display = enterprise
        self.query_one("#person-title", Label).update(
            tr("经办联系人", "Contact person") if enterprise else tr("申请人", "Applicant")
        )
        # A person applying is identified by their ID; an enterprise's contact need not be.
        self.query_one("#person-id-row", FieldRow).set_required(not enterprise)
        self.query_one("#agent-section").display = self.query_one("#agent-toggle", Checkbox).value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "contact_is_legal_rep":
            return self.is_mounted and self._kind() == "enterprise"
        return True

    def action_contact_is_legal_rep(self) -> None:
        """Copy the legal representative into the contact person: typed once, not twice."""
        for part in ("name", "id", "phone"):
            self.query_one(f"#person-{part}", Input).value = self.query_one(f"#legal-{part}", Input).value
        self.commit()
        for part in ("name", "id", "phone"):
            row = self.query_one(f"#person-{part}-row", FieldRow)
            if row.problem is not None or self.query_one(f"#person-{part}", Input).value:
                self._check(row, typing=False)
        self.query_one("#person-phone", Input).focus()

    def show_problems(self, problems: list[Problem]) -> None:
        """Mark every field with its problem, focus the first, and say how many."""
        rest = mark_problems(self, problems)
        invalid = [row for row in self.query(FieldRow) if row.problem is not None]
        if invalid and isinstance(invalid[0].control, Input):
            invalid[0].control.focus()
            invalid[0].scroll_visible()
        if rest:
            super().show_problems(rest)
        else:
            self.notify(
                tr("有 {n} 处需要更正（已在栏目下标红）", "{fields} to correct (marked in red)", n=len(invalid), fields=counted(len(invalid), "field")),
                severity="error",
                markup=False,
            )
