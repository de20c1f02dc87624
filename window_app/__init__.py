"""window-app: the comprehensive-window terminal for integrated service bundles."""

__version__ = "0.1.0"
