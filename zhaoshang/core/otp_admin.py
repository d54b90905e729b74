"""[N] The two-factor device pages of the admin console in Chinese.

django-otp's device models and admin classes carry English field names, help texts and section
titles that are not marked for translation, and a model field's verbose name cannot be changed
without a migration in the package. So the admin classes are subclassed here: list columns and
read-only fields are shown through display functions with Chinese titles, form fields get Chinese
labels and help texts, sections Chinese titles. Behaviour (fields, QR code link, inlines) is the
package's own.
"""

from django.contrib import admin
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

LABELS = {
    "user": _("用户"),
    "name": _("设备名称"),
    "confirmed": _("已启用"),
    "created_at": _("创建时间"),
    "last_used_at": _("最近使用时间"),
    "key": _("密钥"),
    "step": _("时间步长（秒）"),
    "t0": _("起始时间（Unix 时间）"),
    "digits": _("口令位数"),
    "tolerance": _("允许误差（步数）"),
    "drift": _("时钟偏移（步数）"),
    "throttling_failure_timestamp": _("最近验证失败时间"),
    "throttling_failure_count": _("连续验证失败次数"),
    "token": _("备用码"),
}
HELP = {
    "user": _("设备所属的用户。"),
    "name": _("便于用户辨认设备的名称。"),
    "confirmed": _("设备是否已可用于登录验证。"),
    "key": _("十六进制编码的密钥，最长 40 字节。"),
}
SECTIONS = {
    "Identity": _("设备"),
    "Timestamps": _("时间"),
    "Configuration": _("配置"),
    "State": _("状态"),
    "Throttling": _("失败限制"),
}


def _shown(name):
    """A display function for the model field `name`, titled in Chinese (list columns, read-only)."""

    def show(obj):
        return getattr(obj, name)

    show.__name__ = f"{name}_shown"
    boolean = name == "confirmed"
    return admin.display(description=LABELS[name], ordering=name, boolean=boolean or None)(show)


READ_ONLY = ("created_at", "last_used_at")


def _titled_filter(model_admin, name):
    """The package's filter for field `name`, titled in Chinese (its title is the field's verbose name)."""
    field = model_admin.model._meta.get_field(name)
    base = (
        admin.BooleanFieldListFilter
        if field.get_internal_type() == "BooleanField"
        else admin.DateFieldListFilter
        if field.get_internal_type() in ("DateTimeField", "DateField")
        else admin.AllValuesFieldListFilter
    )

    class Titled(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = LABELS[name]

    return name, Titled


class ChineseDeviceAdmin:
    """Mixin over a django-otp device admin."""

    @admin.display(description=LABELS["created_at"])
    def created_at_shown(self, obj):
        return obj.created_at or self.get_empty_value_display()

    @admin.display(description=LABELS["last_used_at"])
    def last_used_at_shown(self, obj):
        return obj.last_used_at or self.get_empty_value_display()

    def get_readonly_fields(self, request, obj=None):
        return [f"{n}_shown" if n in READ_ONLY else n for n in super().get_readonly_fields(request, obj)]

    search_help_text = _("按用户的用户名或电子邮件地址搜索")

    def get_list_filter(self, request):
        return [
            _titled_filter(self, n) if isinstance(n, str) and n in LABELS else n
            for n in super().get_list_filter(request)
        ]

    def get_list_display(self, request):
        return [_shown(n) if n in LABELS else n for n in super().get_list_display(request)]

    def get_fieldsets(self, request, obj=None):
        out = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [f"{n}_shown" if n in READ_ONLY else n for n in options.get("fields", ())]
            out.append((SECTIONS.get(title, title), {**options, "fields": fields}))
        return out

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, field in form.base_fields.items():
            if name in LABELS:
                field.label = LABELS[name]
                field.help_text = HELP.get(name, "")
        return form


def register():
    """Replace django-otp's device admins with the Chinese ones (where the plugins are installed)."""
    from django.apps import apps

    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        class QrCode:
            @admin.display(description=_("二维码"))
            def qrcode_link(self, device):
                link = super().qrcode_link(device)
                return mark_safe(str(link).replace(">qrcode<", f">{conditional_escape(_('二维码'))}<"))  # noqa: S308 - the package's escaped link

        _replace(TOTPDevice, TOTPDeviceAdmin, mixins=(QrCode,))
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp.plugins.otp_static.admin import StaticDeviceAdmin, StaticTokenInline
        from django_otp.plugins.otp_static.models import StaticDevice

        class TokenInline(StaticTokenInline):
            verbose_name = _("备用码")
            verbose_name_plural = _("备用码")

            def get_formset(self, request, obj=None, **kwargs):
                formset = super().get_formset(request, obj, **kwargs)
                if "token" in formset.form.base_fields:
                    formset.form.base_fields["token"].label = LABELS["token"]
                return formset

        _replace(StaticDevice, StaticDeviceAdmin, inlines=[TokenInline])


def _replace(model, base, mixins=(), **attrs):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"Chinese{base.__name__}", (*mixins, ChineseDeviceAdmin, base), attrs))
