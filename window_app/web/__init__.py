"""``window-app serve``: the window in a browser, behind the clerks' sign-in (issue 14).

One concept a module: ``windows`` (which windows the server offers, each with its own data dir
and settings), ``sign_in`` (a clerk's PIN checked against that window's accounts, lock-out and
rate limit), ``sessions`` (the session cookie's server side), ``tickets`` (the one-time file that
hands the signed-in clerk to the app process), ``pages`` (the sign-in and app pages, the
Content-Security-Policy), ``textual_serve_link`` (the one module that touches textual-serve),
``server`` (the aiohttp routes) and ``run`` (TLS, the warning, the event loop).

Nothing here imports Textual: the app runs in a child process (``python -m window_app``), which
reads its ticket in :mod:`window_app.cli.tui`.
"""
