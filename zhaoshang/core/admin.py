from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import HolidayCalendar
from .names import person_name


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "year", "note"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["date"]


from .notifications import admin as notifications_admin  # noqa: E402,F401 - registers its ModelAdmins

# [N] Users are listed and chosen by their name (zhaoshang.core.names), written one way everywhere.
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PersonUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    ordering = ["last_name", "first_name", "username"]

    @admin.display(description=_("姓名"), ordering="last_name")
    def display_name(self, obj):
        return person_name(obj)


from .otp_admin import register as register_otp_admins  # noqa: E402

register_otp_admins()
