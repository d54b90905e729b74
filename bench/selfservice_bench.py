"""Settings for bench/selfservice.sh: the project as is, with a hello-world baseline view added.

The baseline (bench/selfservice_bench_urls.py) goes through the same middleware as the
self-service page; it exists only when this module is the settings module.
"""

from zhaoshang.settings import *  # noqa: F403

ROOT_URLCONF = "bench.selfservice_bench_urls"
