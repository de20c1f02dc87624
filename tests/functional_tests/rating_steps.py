"""Getting past the rating step (好差评) after a receipt, for Pilot tests of other things."""

from __future__ import annotations


async def skip_rating(pilot) -> None:
    """After the receipt was closed: the applicant skips the rating step (Esc), if it showed."""
    from screens.rating import RatingScreen

    await pilot.pause()
    if isinstance(pilot.app.screen, RatingScreen):
        await pilot.press("escape")
        await pilot.pause()
