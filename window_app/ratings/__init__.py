"""好差评 at the window: the applicant's ratings, the 差评's rectification cases, their sync and
counts (docs/supervision.md, "好差评 / Ratings").

- :mod:`~window_app.ratings.recording`: a rating given at the window's rating step (the
  applicant's own action, once per occasion) or pulled from the tracking page; a 差评 opens its
  case in the same transaction;
- :mod:`~window_app.ratings.rectification`: a supervisor assigns, records the call-back and the
  fix, closes; overdue cases;
- :mod:`~window_app.ratings.counting`: per window, clerk, bundle and department;
- :mod:`~window_app.ratings.sending`: ``POST /v1/ratings`` to the exchange, each round of the sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

# Loaded when first used: the rating step comes after an accept, the rest on a supervisor's request.
if TYPE_CHECKING:
    from window_app.ratings import counting as counting
    from window_app.ratings import recording as recording
    from window_app.ratings import rectification as rectification
    from window_app.ratings import sending as sending

__getattr__ = submodules_on_use(__name__, "counting", "recording", "rectification", "sending")
