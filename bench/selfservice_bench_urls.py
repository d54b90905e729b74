"""The project's URLs plus /bench-hello/ (public, trivial): the baseline of bench/selfservice.sh."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def hello(request):
    return HttpResponse("hello, world")


urlpatterns = [path("bench-hello/", hello), path("", include("zhaoshang.urls"))]
