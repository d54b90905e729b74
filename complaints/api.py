"""REST API for the 12345 hotline: complaint intake (idempotent on the hotline's ticket id) and status.

Intake goes through `complaints.services.complaint_submit` (via `integrations.services`), exactly
as a complaint entered by staff: reference number, deadlines, timeline, encrypted attachments.
The status endpoint shows a hotline what the complainant's own tracking link shows — status,
dates, the public timeline and the replies — and only for the tickets that hotline filed. Replies
are returned in clear because the hotline is the channel that delivers them to the complainant;
every such read is an access event naming the integration. When a complaint is answered or closed
the hotline is also called back (`integrations.webhooks`).
"""

import base64
import binascii
import re
from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from integrations.models import Scope
from integrations.services import hotline_complaint_submit, hotline_ticket_for
from zhaoshang.core.api import tags as api_text
from zhaoshang.core.api.access import integration_of, record_api_access
from zhaoshang.core.api.fields import StrictInputSerializer
from zhaoshang.core.api.views import ApiView

from .forms import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, validate_attachment
from .models import Complaint, ComplaintCategory, ComplaintEvent, ComplaintKind

HOTLINE_ID_RE = r"[A-Za-z0-9_-]{1,64}"


class AttachmentSerializer(StrictInputSerializer):
    filename = serializers.CharField(max_length=120, help_text=gettext_lazy("文件名，须以与内容相符的扩展名结尾。"))
    content_base64 = serializers.CharField(
        max_length=(MAX_ATTACHMENT_BYTES * 4) // 3 + 4, help_text=gettext_lazy("文件内容（Base64），每个不超过 10 MB。")
    )

    def validate(self, data):
        try:
            raw = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError({"content_base64": [_("不是有效的 Base64 内容。")]}) from None
        upload = ContentFile(raw, name=data["filename"].replace("/", "_").replace("\\", "_"))
        try:
            content_type = validate_attachment(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"content_base64": exc.messages}) from None
        return (content_type, upload)


class HotlineIntakeSerializer(StrictInputSerializer):
    hotline_id = serializers.RegexField(
        rf"^{HOTLINE_ID_RE}$",
        max_length=64,
        help_text=gettext_lazy("12345 热线工单号：同一工单重复提交只登记一次。"),
        error_messages={"invalid": gettext_lazy("工单号只能包含字母、数字、下划线和连字符，最长64位。")},
    )
    kind = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ComplaintKind.objects.filter(is_active=True),
        help_text=gettext_lazy("诉求类型代码。"),
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ComplaintCategory.objects.filter(is_active=True),
        help_text=gettext_lazy("诉求分类代码。"),
    )
    description = serializers.CharField(max_length=5000)
    complainant_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    complainant_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    complainant_email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("热线受理时间，缺省为当前时间。")
    )
    attachments = AttachmentSerializer(many=True, required=False, default=list)

    def validate_description(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("诉求内容不能为空。"))
        return value

    def validate_received_at(self, value):
        if value is None:
            return value
        now = timezone.now()
        if not now - timedelta(days=366) <= value <= now + timedelta(minutes=5):
            raise serializers.ValidationError(_("受理时间须在过去一年内，且不能晚于当前时间。"))
        return value

    def validate_attachments(self, value):
        if len(value) > MAX_ATTACHMENTS:
            raise serializers.ValidationError(_("最多上传%(n)s个附件。") % {"n": MAX_ATTACHMENTS})
        return value


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField()
    status = serializers.CharField(source="to_status")
    message = serializers.SerializerMethodField(help_text=gettext_lazy("答复内容（仅“答复”一项有）。"))

    def get_action_label(self, event) -> str:
        try:
            return str(ComplaintEvent.Action(event.action).label)
        except ValueError:
            return event.action

    def get_message(self, event) -> str:
        return str(event.message or "") if event.action == ComplaintEvent.Action.REPLY else ""


class HotlineComplaintSerializer(serializers.Serializer):
    hotline_id = serializers.CharField()
    reference = serializers.CharField()
    kind = serializers.CharField(source="kind.code")
    category = serializers.CharField(source="category.code")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolution_due = serializers.DateField()
    replied_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class HotlineComplaintDetailSerializer(HotlineComplaintSerializer):
    timeline = TimelineEntrySerializer(many=True, source="public_events")


class HotlineIntakeView(ApiView):
    required_scope = Scope.COMPLAINTS_INTAKE
    required_perms = ["complaints.add_complaint"]
    serializer_class = HotlineIntakeSerializer
    queryset = Complaint.objects.none()

    @extend_schema(
        summary=gettext_lazy("12345 热线转办投诉（按工单号幂等）"),
        request=HotlineIntakeSerializer,
        responses={201: HotlineComplaintSerializer, 200: HotlineComplaintSerializer},
        description=gettext_lazy("新登记返回 201；同一工单号再次提交返回 200 和第一次登记的投诉，不重复登记。"),
        tags=[api_text.HOTLINE],
    )
    def post(self, request):
        serializer = HotlineIntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complaint, created = hotline_complaint_submit(
            integration=integration_of(request),
            hotline_id=data["hotline_id"],
            kind=data["kind"],
            category=data["category"],
            description=data["description"],
            name=data["complainant_name"],
            phone=data["complainant_phone"],
            email=data["complainant_email"],
            received_at=data["received_at"],
            attachments=data["attachments"],
        )
        complaint.hotline_id = data["hotline_id"]
        body = HotlineComplaintSerializer(complaint).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class HotlineStatusView(ApiView):
    required_scope = Scope.COMPLAINTS_INTAKE
    required_perms = ["complaints.add_complaint"]
    serializer_class = HotlineComplaintDetailSerializer
    queryset = Complaint.objects.none()

    @extend_schema(
        summary=gettext_lazy("按热线工单号查询办理状态与答复"),
        description=gettext_lazy("只能查询本接入系统转办的工单。答复内容为明文，每次查询记入访问日志。"),
        tags=[api_text.HOTLINE],
    )
    def get(self, request, hotline_id):
        ticket = (
            hotline_ticket_for(integration_of(request), hotline_id) if re.fullmatch(HOTLINE_ID_RE, hotline_id) else None
        )
        if ticket is None:
            from django.http import Http404

            raise Http404
        complaint = ticket.complaint
        complaint.hotline_id = ticket.hotline_id
        complaint.public_events = list(
            ComplaintEvent.objects.filter(complaint=complaint, public=True).order_by("at", "pk")
        )
        if any(e.action == ComplaintEvent.Action.REPLY for e in complaint.public_events):
            record_api_access(
                request,
                "view",
                complaint,
                purpose=_("向投诉人转达答复"),
                subject_ids=[complaint.contact_id] if complaint.contact_id else (),
                detail={"replies": 1},
            )
        return Response(HotlineComplaintDetailSerializer(complaint).data)


def counts(user):
    """Complaint figures inside the user's complaint scope."""
    if not user.has_perm("complaints.view_complaint"):
        return {}
    visible = Complaint.objects.visible_to(user).select_related(None)
    return {"complaints": {"open": visible.open().count(), "overdue": visible.overdue().count()}}
