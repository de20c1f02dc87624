"""Where the exchange keeps its data: one SQLite file (the default) or a PostgreSQL database.

:class:`~window_app.exchange.store.ExchangeStore` holds every rule (checks, states, the ledger,
the event feed); a backend only opens connections, runs transactions and says how its SQL
differs (:class:`~window_app.exchange.backends.base.Dialect`). :func:`open_backend` picks one
by the ``--db`` value: a ``postgresql://`` (or ``postgres://``) URI is PostgreSQL, anything else
a file path. psycopg is imported only for PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from window_app.exchange.backends.base import Backend, DatabaseUnavailable, Dialect

POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")

__all__ = ["Backend", "DatabaseUnavailable", "Dialect", "POSTGRESQL_SCHEMES", "is_postgresql", "open_backend", "shown_location"]


def is_postgresql(db: str | Path) -> bool:
    """Whether ``db`` names a PostgreSQL database (a URI) rather than a SQLite file."""
    return isinstance(db, str) and db.startswith(POSTGRESQL_SCHEMES)


def shown_location(db: str | Path) -> str:
    """``db`` as it may be printed: a URI without its password."""
    if not is_postgresql(db):
        return str(db)
    from window_app.exchange.backends.postgresql import without_password

    return without_password(str(db))


def open_backend(db: str | Path, *, shared: bool = False) -> Backend:
    """Open the backend ``db`` names (not yet migrated: the store does that).

    Args:
        shared: Several processes serve this database (``serve --workers``, PostgreSQL only:
            the command refuses it on a SQLite file). Nothing changes for PostgreSQL, whose
            transactions take turns where they must by themselves.

    Raises:
        sqlite3.Error, OSError: The SQLite file cannot be opened.
        DatabaseUnavailable: The PostgreSQL server cannot be reached (an ``OSError``).
    """
    if is_postgresql(db):
        from window_app.exchange.backends.postgresql import PostgresBackend

        return PostgresBackend.open(str(db))
    from window_app.exchange.backends.sqlite import SQLiteBackend

    return SQLiteBackend.open(Path(db))
