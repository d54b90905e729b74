"""Settings for bench/selfservice.sh: the project as is, with its two baselines added -- the plain
equivalent of the self-service page (bench/selfservice_plain.py) and a hello-world view.

The baselines (bench/selfservice_bench_urls.py) go through the same middleware as the
self-service page; they exist only when this module is the settings module.
"""

from zhaoshang.settings import *  # noqa: F403

ROOT_URLCONF = "bench.selfservice_bench_urls"
