"""What a printed notice holds, whatever its kind: the one shape every renderer prints.

A notice is built in the interface language by its own module (:mod:`.receipt`,
:mod:`.one_time`, :mod:`.supplement`, :mod:`.supplement_received`, :mod:`.refusal`,
:mod:`.handover`) and printed by :mod:`.render` (PDF or HTML) without knowing its kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words


class NoticeUnavailable(WindowAppError):
    """The application has nothing for this notice (no supplement asked, nothing refused, no
    class-3 part), or there is no such kind of notice. The words say which."""

NOTICE_KINDS: dict[str, Words] = {
    "receipt": Words("受理回执", "Acceptance Receipt"),
    "one-time": Words("一次性告知书", "One-time Notice of Requirements"),
    "supplement": Words("补正告知书", "Notice of Supplement Required"),
    "supplement-received": Words("补正材料收取凭证", "Receipt for Supplementary Materials"),
    "refusal": Words("不予受理（不予许可）告知书", "Notice of Refusal"),
    "handover": Words("材料移交单", "Handover List of Materials"),
}
"""Every kind of notice, by the name the CLI takes (``window-app notice KIND``)."""


@dataclass(frozen=True)
class Row:
    """One line of a section: ``label：value``; a row without a label is a paragraph."""

    label: str
    value: str


@dataclass(frozen=True)
class Section:
    """A titled group of rows (申请人, 办理环节, 已收材料 …); an empty heading prints none."""

    heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Notice:
    """One printable notice.

    Attributes:
        kind: One of :data:`NOTICE_KINDS`.
        centre: The service centre issuing it (the first line).
        title: The notice's name (受理回执 …), in the interface language.
        reference: The number it is filed under (the receipt number), printed under the title.
        sections: The body, in order.
        qr_link: A link the QR code carries (the tracking page); empty for no QR code.
        signatures: Lines to sign at the foot (申请人（签字）…).
        file_stem: The file's name without suffix (``<receipt no>-receipt``).
    """

    kind: str
    centre: str
    title: str
    reference: str
    sections: tuple[Section, ...]
    qr_link: str = ""
    signatures: tuple[str, ...] = field(default_factory=tuple)
    file_stem: str = "notice"

    def text(self) -> str:
        """Every word of the notice as plain lines (what the HTML and PDF say, for a test or a log)."""
        lines = [self.centre, self.title, self.reference]
        for section in self.sections:
            if section.heading:
                lines.append(section.heading)
            lines += [f"{row.label}：{row.value}" if row.label else row.value for row in section.rows]
        if self.qr_link:
            lines.append(self.qr_link)
        return "\n".join(lines + list(self.signatures))


def rows(pairs: list[tuple[str, str]]) -> tuple[Row, ...]:
    """(label, value) pairs as rows."""
    return tuple(Row(label, value) for label, value in pairs)


def paragraphs(texts: list[str]) -> tuple[Row, ...]:
    """Texts as rows without a label."""
    return tuple(Row("", text) for text in texts)
