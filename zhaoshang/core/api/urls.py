"""The API's one router: /api/v1/ endpoints from each app's `api.py`, the schema and the docs.

Data endpoints authenticate by API key only (never a portal session) and answer an anonymous
call with 401 in the error envelope, so they are exempt from LoginRequiredMiddleware here and
nowhere else. The schema (/api/schema/) takes a key or a portal session, so that an integrator's
tooling and the docs page can both read it; the docs page (/api/docs/) is a portal page: staff
sign in to read it. Neither holds data, but the zone's platform is not a public service, so its
interface description is not published to anonymous visitors either.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from clients import api as clients_api
from complaints import api as complaints_api
from integrations.authentication import ApiKeyAuthentication
from integrations.models import Scope
from privacy.consent import api as consent_api
from zhaoshang.core.api import tags as api_text
from zhaoshang.core.api.views import ApiView

app_name = "api"


class IdConverter:
    """A record id: digits that fit a bigint (a longer number would overflow in PostgreSQL)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class HotlineIdConverter:
    regex = complaints_api.HOTLINE_ID_RE

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(IdConverter, "id")
register_converter(HotlineIdConverter, "hotline")


class CountsSerializer(serializers.Serializer):
    projects = serializers.DictField(required=False, help_text=_("项目：total 总数，by_stage 各阶段数量"))
    enterprises = serializers.DictField(required=False, help_text=_("企业：total 总数"))
    followups = serializers.DictField(required=False, help_text=_("跟进：overdue 逾期未联系的项目数"))
    complaints = serializers.DictField(required=False, help_text=_("投诉：open 未办结数，overdue 超期数"))


class CountsView(ApiView):
    """Figures for dashboards (OA), each computed inside the service user's scope."""

    required_scope = Scope.COUNTS_READ
    serializer_class = CountsSerializer

    @extend_schema(summary=_("统计数字（仪表板用，按服务账号的数据范围）"), tags=[api_text.COUNTS])
    def get(self, request):
        return Response({**clients_api.counts(request.user), **complaints_api.counts(request.user)})


class SchemaView(SpectacularAPIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []


def _api(view):
    """Data endpoints: the API key decides, not the portal session (see the module docstring)."""
    return login_not_required(view)


def _portal_page(view):
    """DRF marks every APIView `login_required = False`; the docs page is a portal page."""
    view.login_required = True
    return view


v1 = [
    path("enterprises/", _api(clients_api.EnterpriseListView.as_view()), name="enterprise-list"),
    path("enterprises/<id:pk>/", _api(clients_api.EnterpriseDetailView.as_view()), name="enterprise-detail"),
    path("projects/", _api(clients_api.ProjectListView.as_view()), name="project-list"),
    path("projects/<id:pk>/", _api(clients_api.ProjectDetailView.as_view()), name="project-detail"),
    path("projects/<id:pk>/stage/", _api(clients_api.ProjectStageView.as_view()), name="project-stage"),
    path("projects/<id:pk>/followups/", _api(clients_api.ProjectFollowUpsView.as_view()), name="project-followups"),
    path("contacts/<id:pk>/reveal/", _api(clients_api.ContactRevealView.as_view()), name="contact-reveal"),
    path("contacts/<id:pk>/consent/", _api(consent_api.ContactConsentView.as_view()), name="contact-consent"),
    path("complaints/hotline/", _api(complaints_api.HotlineIntakeView.as_view()), name="hotline-intake"),
    path(
        "complaints/hotline/<hotline:hotline_id>/",
        _api(complaints_api.HotlineStatusView.as_view()),
        name="hotline-status",
    ),
    path("counts/", _api(CountsView.as_view()), name="counts"),
]

urlpatterns = [
    path("schema/", _api(SchemaView.as_view(renderer_classes=[JSONRenderer])), name="schema"),
    path("docs/", _portal_page(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("v1/", include(v1)),
]
