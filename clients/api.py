"""REST API of the case records: enterprises, projects, follow-ups, contact reveals.

Same rules as the portal pages, through the same code: lists are `visible_to(request.user)`,
records come through the `get_<thing>_for_user` gates (404 outside scope), writes go through
`clients.services` (查重, stage rules, audit). `request.user` is the integration's service user.
Personal values are masked; the clear value of a contact field only comes from the reveal
endpoint, which names a purpose and counts toward the user's daily limit.
"""

from datetime import UTC

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from integrations.models import Scope
from privacy.crypto import masking
from zhaoshang.core.api import tags as api_text
from zhaoshang.core.api.access import integration_of, record_api_access
from zhaoshang.core.api.exceptions import Conflict
from zhaoshang.core.api.fields import DepartmentRefSerializer, MaskedField, StaffSerializer, StrictInputSerializer
from zhaoshang.core.api.schema import ErrorSerializer
from zhaoshang.core.api.views import ApiView
from zhaoshang.core.localized import join_list

from . import services
from .models import Contact, Currency, Enterprise, FollowUp, FollowUpMethod, Industry, Project, RevealPurpose, Source
from .models import Stage as StageChoices
from .scopes import get_contact_for_user, get_enterprise_for_user, get_project_for_user
from .validators import normalise_credit_code, validate_credit_code

MAX_ID = 2**63 - 1


def _aware_in_range(value):
    """Refuse datetimes PostgreSQL cannot compare (a year-1 date with an offset overflows in UTC)."""
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise serializers.ValidationError(gettext_lazy("时间超出可处理的范围。")) from None
    if not 1970 <= value.year <= 9998:
        raise serializers.ValidationError(gettext_lazy("时间超出可处理的范围。"))
    return value


# --- serializers ------------------------------------------------------------------------------


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only (DRF would also take 0, 1, "yes", "on")."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class StrictDecimalField(serializers.DecimalField):
    """An amount as a decimal string ("1200.50"), as the schema says: a JSON number would round."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EnterpriseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EnterpriseSerializer(serializers.ModelSerializer):
    industry = serializers.ChoiceField(choices=Industry.choices, allow_blank=True, read_only=True)
    industry_label = serializers.CharField(source="get_industry_display", read_only=True)
    owner = StaffSerializer(read_only=True, allow_null=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "industry",
            "industry_label",
            "region",
            "registered_capital",
            "capital_currency",
            "source",
            "verification_status",
            "owner",
            "department",
            "reported_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactMaskedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = MaskedField(masking.mask_name)
    mobile = MaskedField(masking.mask_mobile)
    email = MaskedField(masking.mask_email)
    wechat = MaskedField(masking.mask_text)
    id_number = MaskedField(masking.mask_id_number)
    position = serializers.CharField()
    verified = serializers.BooleanField()


class EnterpriseDetailSerializer(EnterpriseSerializer):
    contacts = ContactMaskedSerializer(many=True, read_only=True, source="api_contacts")

    class Meta(EnterpriseSerializer.Meta):
        fields = [*EnterpriseSerializer.Meta.fields, "contacts"]
        read_only_fields = fields


class EnterpriseCreateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    registered_capital = StrictDecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    capital_currency = serializers.ChoiceField(choices=Currency.choices, required=False, default=Currency.CNY)
    source = serializers.ChoiceField(choices=Source.choices, required=False, default=Source.OTHER)
    confirm_not_duplicate = StrictBooleanField(
        required=False, default=False, help_text=gettext_lazy("查重发现名称相近的企业时，确认不是同一家企业后传 true。")
    )

    def validate_name(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("请填写企业名称。"))
        return value.strip()

    def validate_credit_code(self, value):
        code = normalise_credit_code(value)
        if code:
            validate_credit_code(code)
        return code


class ProjectSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    industry = serializers.ChoiceField(choices=Industry.choices, allow_blank=True, read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    owner = StaffSerializer(read_only=True, allow_null=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "enterprise",
            "industry",
            "planned_investment",
            "currency",
            "stage",
            "stage_label",
            "stage_changed_at",
            "signed_at",
            "owner",
            "department",
            "last_activity_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectFilterSerializer(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=StageChoices.choices, required=False)
    department = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    updated_since = serializers.DateTimeField(
        required=False, validators=[_aware_in_range], help_text=gettext_lazy("只返回此时间之后有更新的项目。")
    )
    q = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=gettext_lazy("项目名称包含的文字。")
    )


class StageChangeSerializer(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=StageChoices.choices)
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("退回、终止或重新启动时必填。"),
    )
    loss_reason = serializers.SlugField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("终止原因分类代码（终止项目时必填，见管理后台的项目终止原因）。"),
    )


class FollowUpSerializer(serializers.ModelSerializer):
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    summary = MaskedField(masking.mask_text)
    participants = MaskedField(masking.mask_text)
    author = StaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "date",
            "method",
            "method_label",
            "summary",
            "participants",
            "next_contact_date",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class FollowUpCreateSerializer(StrictInputSerializer):
    date = serializers.DateField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    summary = serializers.CharField(max_length=4000)
    participants = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    next_contact_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if data.get("next_contact_date") and data["next_contact_date"] < data["date"]:
            raise serializers.ValidationError({"next_contact_date": [_("下次联系日期不能早于跟进日期。")]})
        return data


class EnterpriseSearchSerializer(StrictInputSerializer):
    q = serializers.CharField(
        max_length=100, required=False, help_text=gettext_lazy("企业名称包含的文字，或18位统一社会信用代码。")
    )
    credit_code = serializers.CharField(
        max_length=30, required=False, help_text=gettext_lazy("统一社会信用代码（精确）。")
    )


class RevealSerializer(StrictInputSerializer):
    field = serializers.ChoiceField(
        choices=[(name, Contact._meta.get_field(name).verbose_name) for name in sorted(services.REVEAL_FIELDS)]
    )
    purpose = serializers.ChoiceField(choices=RevealPurpose.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["purpose"] == RevealPurpose.OTHER and not data["note"].strip():
            raise serializers.ValidationError({"note": [_("选择“其他”时请说明用途。")]})
        return data


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


# --- views ------------------------------------------------------------------------------------


def _validated(serializer_class, data):
    """Validated input. Query strings are read as plain values (not as an HTML form, where DRF
    would take an empty value for an absent one): `?department=` is refused like `?department=x`."""
    if hasattr(data, "dict"):
        data = data.dict()
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EnterpriseListView(ApiView):
    query_params = ("q", "credit_code")
    paginated = True
    required_scope = {"GET": Scope.ENTERPRISES_READ, "POST": Scope.ENTERPRISES_WRITE}
    required_perms = {"GET": ["clients.view_enterprise"], "POST": ["clients.add_enterprise"]}
    serializer_class = EnterpriseSerializer
    queryset = Enterprise.objects.none()

    @extend_schema(
        summary=gettext_lazy("企业列表与搜索"),
        parameters=[EnterpriseSearchSerializer],
        responses=EnterpriseSerializer(many=True),
        tags=[api_text.ENTERPRISES],
    )
    def get(self, request):
        params = _validated(EnterpriseSearchSerializer, request.query_params)
        qs = Enterprise.objects.visible_to(request.user).select_related("owner", "department")
        code = normalise_credit_code(params.get("credit_code") or "")
        q = (params.get("q") or "").strip()
        if not code and len(normalise_credit_code(q)) == 18 and normalise_credit_code(q).isalnum():
            code, q = normalise_credit_code(q), ""
        if code:
            qs = qs.filter(credit_code=code)
        if q:
            qs = qs.name_contains(q)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EnterpriseSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("报备新企业（含查重）"),
        request=EnterpriseCreateSerializer,
        responses={
            201: EnterpriseSerializer,
            409: OpenApiResponse(
                response=ErrorSerializer, description=gettext_lazy("查重：统一社会信用代码已报备，或名称相近须确认。")
            ),
        },
        tags=[api_text.ENTERPRISES],
    )
    def post(self, request):
        data = dict(_validated(EnterpriseCreateSerializer, request.data))
        confirm = data.pop("confirm_not_duplicate")
        duplicates = services.enterprise_find_duplicates(name=data["name"], credit_code=data["credit_code"])
        if data["credit_code"] and any(d.credit_code == data["credit_code"] for d in duplicates):
            message = _("该统一社会信用代码已报备，不能重复创建。")
            raise Conflict(message, code="duplicate", fields={"credit_code": [message]})
        if duplicates and not confirm:
            names = join_list(d.name for d in duplicates[:5])
            message = _(
                "发现可能重复的企业：%(names)s。如确认不是同一家企业，请带 confirm_not_duplicate=true 重新提交。"
            ) % {"names": names}
            raise Conflict(message, code="possible_duplicate", fields={"name": [message]})
        try:
            enterprise = services.enterprise_create(user=request.user, **data)
        except IntegrityError:  # the same code reported a moment ago by someone else
            message = _("该统一社会信用代码已报备，不能重复创建。")
            raise Conflict(message, code="duplicate", fields={"credit_code": [message]}) from None
        enterprise = Enterprise.objects.select_related("owner", "department").get(pk=enterprise.pk)
        return Response(EnterpriseSerializer(enterprise).data, status=status.HTTP_201_CREATED)


class EnterpriseDetailView(ApiView):
    required_scope = Scope.ENTERPRISES_READ
    required_perms = ["clients.view_enterprise"]
    serializer_class = EnterpriseDetailSerializer
    queryset = Enterprise.objects.none()

    @extend_schema(summary=gettext_lazy("企业详情（联系人已脱敏）"), tags=[api_text.ENTERPRISES])
    def get(self, request, pk):
        enterprise = get_enterprise_for_user(request.user, pk)
        enterprise.api_contacts = []
        if request.user.has_perm("clients.view_contact"):
            enterprise.api_contacts = list(Contact.objects.filter(enterprise=enterprise).order_by("pk"))
        if enterprise.api_contacts:
            record_api_access(
                request, "view", enterprise, subject_ids=[c.pk for c in enterprise.api_contacts], detail={"contacts": 1}
            )
        return Response(EnterpriseDetailSerializer(enterprise).data)


def _project_rows(user):
    return (
        Project.objects.visible_to(user)
        .select_related("enterprise", "owner", "department")
        .only(
            "id",
            "title",
            "industry",
            "planned_investment",
            "currency",
            "stage",
            "stage_changed_at",
            "signed_at",
            "last_activity_at",
            "updated_at",
            "enterprise__id",
            "enterprise__name",
            "owner__id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
            "department__id",
            "department__name",
        )
    )


class ProjectListView(ApiView):
    query_params = ("stage", "department", "enterprise", "updated_since", "q")
    paginated = True
    required_scope = Scope.PROJECTS_READ
    required_perms = ["clients.view_project"]
    serializer_class = ProjectSerializer
    queryset = Project.objects.none()

    @extend_schema(
        summary=gettext_lazy("项目列表（可按阶段、部门、企业、更新时间筛选）"),
        parameters=[ProjectFilterSerializer],
        responses=ProjectSerializer(many=True),
        tags=[api_text.PROJECTS],
    )
    def get(self, request):
        params = _validated(ProjectFilterSerializer, request.query_params)
        qs = _project_rows(request.user)
        if params.get("stage"):
            qs = qs.filter(stage=params["stage"])
        if params.get("department"):
            qs = qs.filter(department_id=params["department"])
        if params.get("enterprise"):
            qs = qs.filter(enterprise_id=params["enterprise"])
        if params.get("updated_since"):
            qs = qs.filter(updated_at__gte=params["updated_since"])
        if params.get("q"):
            qs = qs.filter(title__icontains=params["q"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)


class ProjectDetailView(ApiView):
    required_scope = Scope.PROJECTS_READ
    required_perms = ["clients.view_project"]
    serializer_class = ProjectSerializer
    queryset = Project.objects.none()

    @extend_schema(summary=gettext_lazy("项目详情"), tags=[api_text.PROJECTS])
    def get(self, request, pk):
        return Response(ProjectSerializer(get_project_for_user(request.user, pk)).data)


class ProjectStageView(ApiView):
    required_scope = Scope.PROJECTS_WRITE
    required_perms = ["clients.change_project"]
    serializer_class = StageChangeSerializer
    queryset = Project.objects.none()

    @extend_schema(
        summary=gettext_lazy("变更项目阶段（与门户相同的规则与审计）"),
        request=StageChangeSerializer,
        responses={200: ProjectSerializer},
        tags=[api_text.PROJECTS],
    )
    def post(self, request, pk):
        project = get_project_for_user(request.user, pk, write=True)
        data = _validated(StageChangeSerializer, request.data)
        services.project_change_stage(
            user=request.user,
            project=project,
            to_stage=data["stage"],
            reason=data["reason"],
            loss_reason=data["loss_reason"] or None,
        )
        return Response(ProjectSerializer(get_project_for_user(request.user, pk)).data)


class ProjectFollowUpsView(ApiView):
    paginated = True
    required_scope = {"GET": Scope.FOLLOWUPS_READ, "POST": Scope.FOLLOWUPS_WRITE}
    required_perms = {"GET": ["clients.view_followup"], "POST": ["clients.add_followup"]}
    serializer_class = FollowUpSerializer
    queryset = FollowUp.objects.none()

    @extend_schema(
        summary=gettext_lazy("项目的跟进记录（内容已脱敏）"),
        responses=FollowUpSerializer(many=True),
        tags=[api_text.PROJECTS],
    )
    def get(self, request, pk):
        project = get_project_for_user(request.user, pk)
        qs = FollowUp.objects.filter(project=project).select_related("author")
        page = self.paginate_queryset(qs)
        if page:
            record_api_access(request, "view", project, detail={"followups": len(page)})
        return self.get_paginated_response(FollowUpSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("新建跟进记录"),
        request=FollowUpCreateSerializer,
        responses={201: FollowUpSerializer},
        tags=[api_text.PROJECTS],
    )
    def post(self, request, pk):
        project = get_project_for_user(request.user, pk, write=True)
        data = _validated(FollowUpCreateSerializer, request.data)
        followup = services.followup_create(user=request.user, project=project, **data)
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)


class ContactRevealView(ApiView):
    required_scope = Scope.CONTACTS_REVEAL
    required_perms = ["clients.view_contact", "clients.reveal_contact"]
    serializer_class = RevealSerializer
    queryset = Contact.objects.none()

    @extend_schema(
        summary=gettext_lazy("查看联系人某一字段的明文（须说明用途，计入每日上限，记入访问日志）"),
        request=RevealSerializer,
        responses={200: RevealedSerializer},
        tags=[api_text.CONTACTS],
    )
    def post(self, request, pk):
        contact = get_contact_for_user(request.user, pk)
        data = _validated(RevealSerializer, request.data)
        integration = integration_of(request)
        label = str(RevealPurpose(data["purpose"]).label)
        note = data["note"].strip()
        purpose = f"{label}：{note}" if note else label
        if integration is not None:
            purpose = _("%(purpose)s（接口：%(integration)s）") % {"purpose": purpose, "integration": integration.name}
        value = services.contact_reveal(
            user=request.user, contact=contact, field=data["field"], purpose=purpose, request=request
        )
        response = Response({"field": data["field"], "value": str(value or "")})
        response["Cache-Control"] = "no-store, private"
        return response


def counts(user):
    """Figures for the zone's dashboards, inside the service user's scope (a fixed number of queries)."""
    from django.db.models import Count

    result = {}
    if user.has_perm("clients.view_project"):
        by_stage = dict(Project.objects.visible_to(user).values_list("stage").annotate(n=Count("pk")).order_by())
        result["projects"] = {
            "total": sum(by_stage.values()),
            "by_stage": {stage.value: by_stage.get(stage.value, 0) for stage in StageChoices},
        }
    if user.has_perm("clients.view_enterprise"):
        result["enterprises"] = {"total": Enterprise.objects.visible_to(user).count()}
    if user.has_perm("clients.view_followup"):
        result["followups"] = {"overdue": FollowUp.objects.visible_to(user).overdue().count()}
    return result
