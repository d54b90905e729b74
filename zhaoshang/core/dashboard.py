"""The dashboard is assembled from panels that each app registers.

An app calls `register_panel(func)` in its AppConfig.ready(); `func(request)` returns a dict
`{"template": "...", "order": int, ...context}` or None when the panel does not apply to the user.
The dashboard itself knows nothing of enterprises or complaints.
"""

_PANELS = []


def register_panel(func):
    if func not in _PANELS:
        _PANELS.append(func)
    return func


def dashboard_panels(request):
    panels = [p for p in (func(request) for func in _PANELS) if p]
    return sorted(panels, key=lambda p: p.get("order", 100))
