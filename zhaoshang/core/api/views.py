"""The base class of every API view."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, generics

PAGING_PARAMS = ("cursor", "page_size")


class ApiView(generics.GenericAPIView):
    """A DRF view that refuses query parameters it does not know (a misspelt filter would otherwise
    silently return everything). `query_params` names the accepted ones; list views add the paging
    parameters with `paginated = True`."""

    query_params = ()
    paginated = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # key, scope and rate limit first
        allowed = {*self.query_params, *(PAGING_PARAMS if self.paginated else ())}
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError({name: [_("不支持的查询参数。")] for name in unknown})
