"""The project's URLs plus the baselines of bench/selfservice.sh: /bench-hello/ (public, trivial) and
the plain equivalent of the self-service page (bench/selfservice_plain.py)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from bench.selfservice_plain import plain_open, plain_page


@login_not_required
def hello(request):
    return HttpResponse("hello, world")


urlpatterns = [
    path("bench-hello/", hello),
    path("bench-plain/", plain_page),
    path("bench-plain/open/<int:pk>/", plain_open),
    path("", include("zhaoshang.urls")),
]
