"""FitConnect domain package, shipped to every function in the shared layer.

One subpackage per bounded context; `fitconnect.platform` holds what every context uses
(settings, errors, the HTTP app, identity of the caller, events, ids, clock, cursors, idempotency).
Modules import their heavy dependencies themselves, so a handler pays only for what it uses.
"""
