from django.contrib import admin

from .models import HolidayCalendar


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "year", "note"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["date"]


from .notifications import admin as notifications_admin  # noqa: E402,F401 - registers its ModelAdmins
