"""Statistics (统计) and the regional hot list (热点): the numbers, their periods, their exports.

- :mod:`.periods`: today / this week / this month / from–to, in the window's time zone.
- :mod:`.working_days`: the one place the statistics count working days.
- :mod:`.numbers`: the report itself, from the records ``offline_cache/reports.py`` reads.
- :mod:`.hooks`: the columns other parts fill in (overdue parts, ratings).
- :mod:`.export`: the report as rows with stable column names (CSV, JSON).
- :mod:`.hot`: which bundles the pick screen shows under 热点.
- :mod:`.make` (the report) and :mod:`.hot_at_window` (the hot list): from a window's database
  and catalog, what ``Window.report`` and ``Window.hot_list`` call.
"""
