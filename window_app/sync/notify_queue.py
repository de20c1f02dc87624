"""What the sync queues for the applicant when it records a 补正 request or a conclusion.

Called inside the transaction that records the event (with the cursor), so the notification
is queued exactly when the event is applied, and a replayed event (applied before: a no-op)
queues nothing. The data holds no personal data: names of the catalog's materials and
departments, the outcome; the recipient was sealed at acceptance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from offline_cache import notifications
from offline_cache.db import Database
from window_app.domain.notifications import CONCLUDED, SUPPLEMENT
from window_app.domain.words import Words

if TYPE_CHECKING:
    from window_app.dispatch import WindowSigner


def department_words(signer: WindowSigner, department: str, fallback: str = "") -> Words:
    """A department's (office's) name in both languages, from the window's catalog."""
    body = signer.catalog.body(department)
    if body is not None:
        return body.name
    return Words(fallback or department)


def supplement_requested(
    db: Database,
    signer: WindowSigner,
    receipt_no: str,
    *,
    department: str,
    item: str,
    material: str,
    decided_at: str,
    until: str,
    now: str,
) -> bool:
    """Queue the 补正 notification for one request (cause: department, item, time decided: the
    same request carried again by a moved endpoint is the same cause)."""
    known = signer.catalog.materials.get(material) if material else None
    data: dict[str, Any] = {
        "department": department_words(signer, department).to_json(),
        "material": (known.name if known is not None else Words(material)).to_json() if material else None,
        "until": until,
    }
    return notifications.queue(db, receipt_no, SUPPLEMENT, f"{department}/{item}/{decided_at}", data, now)


def concluded(
    db: Database, signer: WindowSigner, receipt_no: str, *, state: str, lead: str, lead_name: str, offering: Words, now: str
) -> bool:
    """Queue the conclusion notification (cause: the outcome, ``concluded`` or ``rejected``)."""
    data = {"outcome": state, "lead": department_words(signer, lead, lead_name).to_json(), "offering": offering.to_json()}
    return notifications.queue(db, receipt_no, CONCLUDED, state, data, now)
