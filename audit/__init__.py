def record_access(*args, **kwargs):
    """`audit.record_access(user, action, obj=None, *, purpose, row_count, detail, subject_ids, request)`.

    Imported lazily so that `import audit` works before the app registry is ready.
    """
    from .access import record_access as _record_access

    return _record_access(*args, **kwargs)
