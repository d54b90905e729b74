"""Profile one self-service page view in-process (the whole WSGI handler, every middleware).

Run with the environment bench/selfservice.sh sets (it prepares the database), e.g.

    bench/selfservice.sh --profile        # cProfile of N page views, top functions by own time

Prints figures; asserts nothing. BENCH_PROFILE_N (default 2000) views, after 50 warm-up views.
"""

import cProfile
import io
import os
import pstats
import sys
import time

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

PATH = sys.argv[1]
N = int(os.environ.get("BENCH_PROFILE_N", "2000"))
handler = WSGIHandler()


def get(path, cookie=""):
    environ = {
        "HTTP_COOKIE": cookie,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "HTTP_HOST": "127.0.0.1:8765",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status = []
    body = b"".join(handler(environ, lambda s, h, *a: status.append((s, h))))
    return status[0], body


# The link is a door: its answer sets the cookie that opens the page /c/ ([P]).
(status, headers), _body = get(PATH)
assert status.startswith("302"), status
COOKIE = next(v.strip().split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie" and "zs_selfservice=" in v)
PATH = "/c/"

for path in (PATH, "/bench-hello/"):
    for _ in range(50):
        (status, headers), body = get(path, COOKIE)
    assert status.startswith("200"), status
    print(path[:4], status, len(body), "bytes;", "headers:", [k for k, _v in headers])
    t = time.process_time()
    for _ in range(N):
        get(path, COOKIE)
    print(f"  {(time.process_time() - t) / N * 1000:.2f} ms CPU per request, unprofiled")

if os.environ.get("BENCH_PROFILE_SORT", "tottime") != "none":
    profile = cProfile.Profile(time.process_time)  # CPU, not waits on PostgreSQL and Redis
    profile.enable()
    for _ in range(N):
        get(PATH, COOKIE)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(45)
    stats.sort_stats("cumulative").print_stats(60)
    print(out.getvalue())
