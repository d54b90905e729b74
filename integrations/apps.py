from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("外部系统接入")

    def ready(self):
        from privacy.retention.base import CATEGORIES, check_registered

        from .retention import WEBHOOK_DELIVERIES

        # Registers the webhook deliveries' retention category; privacy's own check ran before
        # this app was ready, so check this registration here (a wrong code or model stops start-up).
        check_registered({WEBHOOK_DELIVERIES: CATEGORIES[WEBHOOK_DELIVERIES]})

    def audited_models(self):
        """The change trail (`audit.registry`): who may call what, and which tickets came in.

        Key digests and the webhook secret never reach a diff (secret-named columns are excluded,
        encrypted ones masked); deliveries are not audited (each attempt updates the row).
        """
        return [("integrations.Integration", {}), ("integrations.ApiKey", {}), ("integrations.HotlineTicket", {})]
