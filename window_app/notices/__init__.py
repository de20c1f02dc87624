"""The notices the applicant takes home (受理回执, 一次性告知书, 补正告知书, 补正材料收取凭证,
不予受理/不予许可告知书, 材料移交单): one module per notice builds its content
(:class:`~window_app.notices.model.Notice`) from the application, the guide or the catalog, and one
renderer prints every kind (:mod:`window_app.notices.render`: a PDF with a Chinese font and the QR
code, or an HTML file where no Chinese font is found). :mod:`window_app.notices.printing` sends the
file to the OS's printer, or says where it was saved.

Nothing is imported here: :mod:`window_app.receipt` uses :mod:`window_app.notices.facts`, and the
receipt notice uses :mod:`window_app.receipt`.
"""
