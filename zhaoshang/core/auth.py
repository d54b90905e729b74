"""Sign-in helpers shared by django-axes and the login wizard."""


def axes_username(request, credentials=None):
    """The username of a sign-in attempt, for django-axes.

    `authenticate()` passes credentials as {"username": ...}, while the two-factor login wizard
    posts the field as "auth-username"; axes' single AXES_USERNAME_FORM_FIELD can't cover both.
    """
    if credentials and credentials.get("username"):
        return credentials["username"]
    data = getattr(request, "POST", {}) or {}
    return data.get("auth-username") or data.get("username")
