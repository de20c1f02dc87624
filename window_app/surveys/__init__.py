"""联合踏勘 (joint site survey) at the window: proposing and confirming the appointment
(:mod:`.planning`), its sync with the exchange (:mod:`.sending`), the day-before reminders
(:mod:`.reminders`). The rules are pure in :mod:`window_app.domain.survey`; the tables in
:mod:`offline_cache.survey`."""

from window_app.surveys import planning as planning
from window_app.surveys import reminders as reminders
