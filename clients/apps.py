from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("招商客户")

    def ready(self):
        from . import roles

        # Role permissions are declared in one table (clients.roles) and synced after every
        # migrate, so models added by later migrations get their permissions too.
        post_migrate.connect(roles.sync_role_permissions_handler, sender=self)
