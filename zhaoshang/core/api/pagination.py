"""Cursor pagination on the primary key, newest first: a keyset page at any depth.

One query per page (`WHERE id < <cursor> ORDER BY id DESC LIMIT n+1`), never OFFSET and never a
COUNT, so the cost of page 1,000 is the cost of page 1. A cursor that was tampered with answers
400 with a field error instead of DRF's 404.
"""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

_ID = re.compile(r"[0-9]{1,18}")


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_description = _("下一页游标：取上一页响应中的 next 链接，不要自行构造。")
    page_size_query_description = _("每页条数，1–200，默认 50。")
    invalid_cursor_message = _("分页游标无效，请使用上一页响应中的 next 链接。")

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            cursor = False
        # The ordering is unique (the id), so a genuine cursor has offset 0 and an integer position.
        if cursor is not None and (
            cursor is False
            or cursor.offset != 0
            or (cursor.position is not None and not _ID.fullmatch(str(cursor.position)))
        ):
            raise exceptions.ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]})
        return cursor

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [str(_("每页条数须为1至200之间的整数。"))]})
        return size

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["required"] = ["next", "previous", "results"]
        return result
