"""The notices the applicant takes home (受理回执, 一次性告知书, 补正告知书, 补正材料收取凭证,
不予受理/不予许可告知书, 材料移交单): one module per notice builds its content
(:class:`~window_app.notices.model.Notice`) from the application, the guide or the catalog, and one
renderer prints every kind (:mod:`window_app.notices.render`: a PDF with a Chinese font and the QR
code, or an HTML file where no Chinese font is found). :mod:`window_app.notices.printing` sends the
file to the OS's printer, or says where it was saved.

The submodules are loaded on first use (fpdf2 and segno only when a notice is written), and
none here: :mod:`window_app.receipt` uses :mod:`window_app.notices.facts`, and the receipt
notice uses :mod:`window_app.receipt`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

if TYPE_CHECKING:
    from window_app.notices import handover as handover
    from window_app.notices import model as model
    from window_app.notices import one_time as one_time
    from window_app.notices import printing as printing
    from window_app.notices import receipt as receipt
    from window_app.notices import refusal as refusal
    from window_app.notices import render as render
    from window_app.notices import supplement as supplement
    from window_app.notices import supplement_received as supplement_received

__getattr__ = submodules_on_use(
    __name__, "handover", "model", "one_time", "printing", "receipt", "refusal", "render", "supplement",
    "supplement_received",
)
