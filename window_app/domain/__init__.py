"""The bottom layer: plain domain records and value types.

Everything here is a dataclass, a value type or a pure function over them. Nothing here imports
anything of the project outside ``window_app.domain`` (import-linter checks it): storage
(``offline_cache``) reads and writes these records, services (the rest of ``window_app``) compute
with them, screens show them.
"""
