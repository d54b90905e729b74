"""One notification mechanism for the whole portal: `notify(users, kind, obj, context)`.

In-app rows (the bell and /notifications/), plus an e-mail at once or in the daily digest, per
the user's preference and the kind (`kinds`). Texts carry reference numbers, statuses and dates
only. See `services` for the functions, `kinds` for the registry.
"""


def notify(users, kind, obj=None, context=None, *, once_key=""):
    """See `zhaoshang.core.notifications.services.notify` (imported lazily: this package loads with the app)."""
    from .services import notify as _notify

    return _notify(users, kind, obj, context, once_key=once_key)
