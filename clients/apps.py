from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("招商客户")

    def ready(self):
        from zhaoshang.core.dashboard import register_panel

        from . import dashboard, loss, reminders, roles

        # Role permissions are declared in one table (clients.roles) and synced after every app's
        # migrate step (no sender): auth creates each app's permissions in that app's own
        # post_migrate, so syncing after all of them gives every role its full set.
        post_migrate.connect(roles.sync_role_permissions_handler, dispatch_uid="zhaoshang-role-permissions")
        for panel in dashboard.PANELS:
            register_panel(panel)
        register_panel(loss.loss_panel)  # [L] 终止分析, its own module
        register_panel(reminders.team_overdue_panel)  # [L] heads: the team's overdue follow-ups
        reminders.register_kinds()

    def audited_models(self):
        """(label, options) of the clients models listed in clients/audit.py (`audit.registry`)."""
        from .audit import AUDITED_MODELS

        return list(AUDITED_MODELS)
