"""``python -m window_app.exchange serve|token|inbox|decide …``: the exchange commands on their own."""

import sys

from window_app.exchange.cli import main

if __name__ == "__main__":
    sys.exit(main())
