from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计")

    def ready(self):
        from zhaoshang.core.dashboard import register_panel

        from . import signals  # noqa: F401  (sign-in trail receivers)
        from .registry import register_all
        from .views import dashboard_panel

        register_all()
        register_panel(dashboard_panel)
