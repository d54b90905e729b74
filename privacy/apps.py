from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("个人信息保护")

    def ready(self):
        import sys

        from django.conf import settings

        # A malformed master key fails start-up here, not at the first page that decrypts.
        if settings.FIELD_ENCRYPTION_KEYS and sys.argv[1:2] != ["createkeys"]:
            from .crypto.keyring import get_keyring

            get_keyring()
