"""System checks of the project's own settings (run by `manage.py check`, `migrate` and `check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security)
def two_factor_required(app_configs, **kwargs):
    """Outside DEBUG, privileged roles must be required to use a second factor."""
    if settings.DEBUG or settings.REQUIRE_2FA_FOR_PRIVILEGED:
        return []
    return [
        Warning(
            "REQUIRE_2FA_FOR_PRIVILEGED 已关闭：持有明文或敏感字段权限的角色无需双因素认证即可登录。"
            " (REQUIRE_2FA_FOR_PRIVILEGED is off outside DEBUG: privileged roles sign in without a second factor.)",
            hint="生产环境请设置 REQUIRE_2FA_FOR_PRIVILEGED=True。 Set it to True in production.",
            id="zhaoshang.W001",
        )
    ]
