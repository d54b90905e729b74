"""The notification pages: the list (newest first, keyset pages), open, mark read, preferences.

Every view is for the signed-in user's own notifications only: another user's id answers 404.
htmx requests get the fragment they swap; plain requests a page or a redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import PreferencesForm
from .models import Notification

PAGE_SIZE = 30


def _page(user, *, unread_only, before=None):
    rows = Notification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if before:
        rows = rows.filter(pk__lt=before)
    rows = list(rows.order_by("-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].pk if more else None)


def _int(value):
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@never_cache
@require_GET
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    before = _int(request.GET.get("before"))
    rows, next_before = _page(request.user, unread_only=unread_only, before=before)
    context = {"notifications": rows, "next_before": next_before, "unread_only": unread_only, "before": before}
    if request.htmx and request.htmx.target == "notification-list":
        return render(request, "core/notifications/_list.html", context)
    return render(request, "core/notifications/list.html", context)


@require_GET
def notification_open(request, pk):
    """Follow a notification's link: it counts as read, then on to the object it is about."""
    notification = services.get_notification_for_user(request.user, pk)
    services.notification_mark_read(notification=notification)
    target = notification.target_url
    if not target:
        messages.info(request, _("该通知所指的记录已不存在。"))
        return redirect("notifications:list")
    return redirect(target)


@require_POST
def notification_read(request, pk):
    notification = services.get_notification_for_user(request.user, pk)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        context = {"n": notification, "oob_badge": True, "badge": services.unread_badge(request.user)}
        return render(request, "core/notifications/_row.html", context)
    return _back(request)


@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return _back(request)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, preferences=services.notification_preferences(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(user=request.user, channels=form.channels())
        except ValidationError as exc:
            for code, errors in exc.message_dict.items():
                form.add_error(code if code in form.fields else None, errors)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    return render(request, "core/notifications/preferences.html", {"form": form})
