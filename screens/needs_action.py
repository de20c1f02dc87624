"""What needs the clerk (需处理): the header's count and a toast for each new one.

After every sync round, at every sign-in and whenever a screen changed something (a
supplement recorded, an application opened), :meth:`NeedsAction.refresh` asks
``Window.needs_action()`` and sets the app's ``needs_action`` reactive (applications
concerned; the header shows ``需处理 N``). A round that brought something new tells it in
words: ``贵州省…税务局要求补正：522325-…（存量房买卖合同）``. What was there at sign-in is counted,
not told again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from screens.widgets.offering_preview import department_name
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, tr

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog
    from window_app.domain.progress import ActionNeeded

MOST_TOASTS = 3
"""Toasts after one round at most; the rest is said in one sentence (the count is in the header)."""


def action_key(action: ActionNeeded) -> tuple[str, str, str, int]:
    """One toast per application, kind and department part (a refusal of seven items is one)."""
    return (action.receipt_no, action.kind, action.department, action.stage)


def action_words(action: ActionNeeded, catalog: Catalog, materials: list[str]) -> str:
    """The toast's sentence in the current language."""
    department = department_name(catalog, action.department)
    names = [str(catalog.materials[m].name) if m in catalog.materials else m for m in materials]
    what = "、".join(names) if names else str(action.reason)
    if action.kind == "supplement":
        if what:
            return tr("{d}要求补正：{no}（{m}）", "{d} asks for a supplement: {no} ({m})", d=department, no=action.receipt_no, m=what)
        return tr("{d}要求补正：{no}", "{d} asks for a supplement: {no}", d=department, no=action.receipt_no)
    if action.kind == "refused":
        if action.reason:
            return tr("{d}不予办理：{no}（{r}）", "{d} refused: {no} ({r})", d=department, no=action.receipt_no, r=action.reason)
        return tr("{d}不予办理：{no}", "{d} refused: {no}", d=department, no=action.receipt_no)
    if action.kind == "survey":
        if action.department:
            return tr("{d}另提踏勘时间，请确认：{no}", "{d} proposes another survey slot; confirm one: {no}", d=department, no=action.receipt_no)
        return tr("各部门已答复踏勘预约，请确认：{no}", "Every department answered the survey slot; confirm it: {no}", no=action.receipt_no)
    return tr(
        "发往{d}的材料被交换平台拒收：{no}（{r}）",
        "The exchange refused what went to {d}: {no} ({r})",
        d=department,
        no=action.receipt_no,
        r=action.reason,
    )


TITLES = {
    "supplement": Words("需补正", "Supplement needed"),
    "refused": Words("不予办理", "Refused"),
    "quarantined": Words("被拒收", "Refused by the exchange"),
    "survey": Words("联合踏勘待确认", "Survey to confirm"),
}


class NeedsAction:
    """The app's count of what needs the clerk, and the toasts for what is new.

    Args:
        app: The :class:`~screens.app.WindowApp` (its ``window`` and ``needs_action``).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.actions: list[ActionNeeded] = []
        self._known: set[tuple[str, str, str, int]] | None = None  # None: nothing read yet
        self._clerk = ""

    def refresh(self, *, tell: bool = False) -> None:
        """Read again; with ``tell``, a toast for each thing not there the last time."""
        window = self.app.window
        clerk = window.clerk
        if clerk is None:  # locked: nothing is shown, and the next clerk starts afresh
            self.actions, self._known, self._clerk = [], None, ""
            self.app.needs_action = 0
            return
        try:
            actions = window.needs_action()
        except WindowAppError:  # a storage failure here is no reason to interrupt the clerk
            return
        if clerk.id != self._clerk:
            self._known, self._clerk = None, clerk.id
        known = self._known
        self.actions = actions
        self._known = {action_key(action) for action in actions}
        self.app.needs_action = len({action.receipt_no for action in actions})
        if tell and known is not None:
            self._tell([action for action in actions if action_key(action) not in known])

    def _tell(self, new: list[ActionNeeded]) -> None:
        if not new:
            return
        catalog = self.app.window.catalog
        grouped: dict[tuple[str, str, str, int], list[ActionNeeded]] = {}
        for action in new:
            grouped.setdefault(action_key(action), []).append(action)
        for index, (key, actions) in enumerate(grouped.items()):
            if index == MOST_TOASTS:
                self.app.notify(
                    tr("另有 {n} 件需处理，按 F3 查看", "More needing action: {n} (F3 shows them)", n=len(grouped) - MOST_TOASTS),
                    title=tr("需处理", "Needs action"),
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
                break
            materials = list(dict.fromkeys(action.material for action in actions if action.material))
            self.app.notify(
                action_words(actions[0], catalog, materials),
                title=str(TITLES[key[1]]),
                severity="warning" if key[1] == "supplement" else "error",
                timeout=15,
                markup=False,
            )
