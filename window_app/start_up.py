"""The process's start: the cyclic garbage collector waits until the first screen is up.

Starting ``window-app`` creates some hundred thousand objects (Textual's classes and styles,
the catalog, the screens) and frees almost none of them. CPython's collector runs a young
collection every 700 new container objects and re-examines the survivors again and again as
they age: about a tenth of the CPU a start takes (profiled on the 2-core test machine: 120–200
ms of the ~1.6 s a loaded start took, against 20–60 ms for a bare Textual app, which creates
far fewer objects). So the start runs without it, and one collection of what the start made
follows once the first screen is drawn, when the clerk is not typing yet (the collection the
collector would have run at its next allocation anyway). Nothing else changes: every object a
start frees by reference counting is freed as before, and cycles are collected a moment later.

:func:`defer_collection` is called by the entry point (``window_app.cli.main``), before it
imports the window and Textual; :func:`start_finished` by whatever ends the start (the app a
moment after its first screen is drawn, a command as it begins its work, ``main`` when it
returns). Both are no-ops when not needed, so tests and scripts that create the app or call
commands directly are not affected. Imports nothing but the standard library: any layer may
use it.
"""

from __future__ import annotations

import gc

_deferred = False


def defer_collection() -> None:
    """Switch the cyclic collector off for the start (if it is on)."""
    global _deferred
    if gc.isenabled():
        gc.disable()
        _deferred = True


def start_finished() -> None:
    """The start is over: the collector is on again, after one collection of what the start made
    (the young generation: every object made while it waited; older ones, such as a test
    process's, are left to the collector's own schedule). Does nothing unless
    :func:`defer_collection` switched it off."""
    global _deferred
    if not _deferred:
        return
    _deferred = False
    gc.enable()
    gc.collect(0)
