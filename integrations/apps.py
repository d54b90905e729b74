from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("外部系统接入")

    def audited_models(self):
        """The change trail (`audit.registry`): who may call what, and which tickets came in.

        Key digests and the webhook secret never reach a diff (secret-named columns are excluded,
        encrypted ones masked); deliveries are not audited (each attempt updates the row).
        """
        return [("integrations.Integration", {}), ("integrations.ApiKey", {}), ("integrations.HotlineTicket", {})]
