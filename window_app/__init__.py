"""window-app: the comprehensive-window terminal for integrated service bundles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

__version__ = "0.1.0"


# Start-up cost matters (the clerk waits for the pick screen): these modules are imported on
# first attribute access (accepting loads the dispatch and the audit chain, identity the keys;
# the receipt is rendered only once an application is accepted; the audit check, with httpx,
# only when asked for; the USB courier, with httpx, only when used). The TYPE_CHECKING import keeps the dependency visible to import-linter.
if TYPE_CHECKING:
    from window_app import accepting as accepting
    from window_app import audit_check as audit_check
    from window_app import clocks as clocks
    from window_app import courier as courier
    from window_app import handover as handover
    from window_app import identity as identity
    from window_app import notices as notices
    from window_app import ratings as ratings
    from window_app import receipt as receipt
    from window_app import surveys as surveys
    from window_app import tracking as tracking

__getattr__ = submodules_on_use(
    __name__, "accepting", "audit_check", "backup", "clerks", "clocks", "courier", "handover", "identity", "notices", "ratings", "receipt",
    "surveys", "tracking",
)
