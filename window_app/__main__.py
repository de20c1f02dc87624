"""``python -m window_app``: the same as the ``window-app`` console script."""

from window_app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
