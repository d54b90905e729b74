from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from django.views.i18n import set_language
from two_factor.urls import urlpatterns as tf_urls

from zhaoshang.core import views as core_views

admin.site.site_header = "招商管理平台 · 管理后台"
admin.site.site_title = "招商管理平台"
admin.site.index_title = "系统配置"
# Before admin.site.urls is built: its login view tells a signed-in non-staff user why they cannot enter.
admin.site.login = core_views.admin_login

urlpatterns = [
    path("", include("zhaoshang.core.urls")),
    path("", include(tf_urls)),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    # Public (the switcher is on the self-service and complaint-tracking pages too); POST + CSRF only.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("clients/", include("clients.urls")),
    path("privacy/", include("privacy.urls")),
    path("audit/", include("audit.urls")),
    path("complaints/", include("complaints.urls")),
    path("notifications/", include("zhaoshang.core.notifications.urls")),
    path("c/", include("privacy.selfservice.urls")),
]

handler403 = core_views.error_403
handler404 = core_views.error_404
handler500 = core_views.error_500

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
