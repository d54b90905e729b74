from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("投诉与反馈")

    def ready(self):
        from zhaoshang.core.dashboard import register_panel

        from .dashboard import handler_panel

        register_panel(handler_panel)
