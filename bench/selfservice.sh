#!/usr/bin/env bash
# Benchmark of the client self-service page ([E], target restated by [H] issue 16). Prints figures;
# asserts nothing.
#
#   bench/selfservice.sh            (needs PostgreSQL on 127.0.0.1:5432, Redis, /usr/bin/wrk)
#   bench/selfservice.sh --profile  (no server: cProfile of the page in-process, bench/selfservice_profile.py)
#
# gunicorn (2 sync workers by default; BENCH_WORKER_CLASS=gthread BENCH_THREADS=4 to try threads) on
# loopback serves the project with bench/selfservice_bench.py as settings: the project's settings
# unchanged (DEBUG off, CONN_MAX_AGE persistent connections, cached template loader) plus two
# baselines behind the SAME middleware stack:
# - the PLAIN EQUIVALENT at /bench-plain/ (bench/selfservice_plain.py): the same page written the
#   straightforward Django way -- a normal view rendered with the standard context processors, the
#   person found through the session (session middleware), the same rows read through the ORM with
#   the contact's fields from an unencrypted copy of its row, the same template, one access row
#   (event + subject) written in a transaction;
# - hello-world at /bench-hello/ (a 12-byte HttpResponse), reported only.
# The link /c/<token>/ is a door ([P]): it is followed once, and its cookie then opens the page /c/
# as a person's browser does; /bench-plain/open/<id>/ once puts the person in a session. The person
# has BENCH_REQUESTS data-subject requests and BENCH_COMPLAINTS complaints (default 20 each: the
# page lists the latest 20 of each), consents, history and uses. wrk -t2 -c16 -d20s alternates
# hello-world, the self-service page and the plain equivalent for BENCH_ROUNDS rounds (default 3);
# the ratios use the median of each side. Load (uptime) is printed: other work on the machine skews
# every side.
# Targets (issue 16, replacing issue 6's hello-world ratio): self-service >= 1.0x the plain
# equivalent's req/s, p99 <= 1.5x its p99, 0 errors.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=$ROOT/.venv/bin/python
PORT=${BENCH_PORT:-8765}
DB=${BENCH_DB:-zhaoshang_bench_selfservice}
DURATION=${BENCH_DURATION:-20s}

export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}
export SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
export FIELD_ENCRYPTION_KEYS="bench1:$($PY -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')"
export BLIND_INDEX_KEY=$($PY -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')
export DEBUG=False ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=False SESSION_COOKIE_SECURE=False
export STATIC_MANIFEST=False REQUIRE_2FA_FOR_PRIVILEGED=False ZHAOSHANG_ENV_FILE=/dev/null LOG_LEVEL=WARNING
export SELFSERVICE_RATE_LIMIT_PER_MINUTE=100000000   # the per-IP limit would answer 429 to wrk
export DJANGO_SETTINGS_MODULE=bench.selfservice_bench
export PYTHONPATH=$ROOT

# Keys are fresh each run, so the bench database is too.
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
$PY manage.py migrate --noinput -v0

# One contact with some history; print the path of a fresh self-service link.
SELF_PATH=$($PY - <<'PYEOF'
import django
django.setup()
from clients import services as cs
from clients.demo import seed_organisation
from clients.models import Contact, Enterprise
from clients.validators import make_credit_code
from django.contrib.auth import get_user_model
from privacy.consent import services
from privacy.selfservice import services as link_services
from privacy.models import Channel

seed_organisation(password="bench-only-password-1")
officer = get_user_model().objects.get(username="officer1")
enterprise = Enterprise.objects.filter(credit_code=make_credit_code("91330100MD0000001")).first() or cs.enterprise_create(
    user=officer, name="压测企业有限公司", credit_code=make_credit_code("91330100MD0000001"), industry="C"
)
contact = Contact.objects.filter(enterprise=enterprise).first() or cs.contact_create(
    user=officer, enterprise=enterprise, name="王五", mobile="13700001234", email="bench@example.cn"
)
if not contact.consent_events.exists():
    for code in ("policy_push", "satisfaction"):
        services.consent_grant(contact=contact, purpose=code, channel=Channel.ONSITE, actor=officer)
    services.consent_withdraw(contact=contact, purpose="satisfaction", channel=Channel.ONSITE, actor=officer)
# The page grows with requests and complaints (it lists the latest 20 of each).
import os, datetime
from django.utils import timezone
from complaints.models import Complaint, ComplaintCategory, ComplaintKind
from privacy.models import SubjectRequest
from privacy.requests.services import subject_request_create
for i in range(int(os.environ.get("BENCH_REQUESTS", "20")) - SubjectRequest.objects.filter(contact=contact).count()):
    subject_request_create(contact=contact, kind=("access", "correction", "explanation")[i % 3], details="压测请求")
today, now = timezone.localdate(), timezone.now()
kind, category = ComplaintKind.objects.get(code="complaint"), ComplaintCategory.objects.filter(is_active=True).first()
Complaint.objects.bulk_create(
    [
        Complaint(reference=f"BENCH{i:06d}", tracking_secret_hash="0" * 64, kind=kind, category=category,
                  channel="selfservice", complainant_name="王五", description="压测投诉", contact=contact,
                  enterprise=enterprise, ack_due=today, resolution_due=today, received_at=now - datetime.timedelta(hours=i))
        for i in range(int(os.environ.get("BENCH_COMPLAINTS", "20")) - Complaint.objects.filter(contact=contact).count())
    ]
)
# The plain equivalent's unencrypted copy of the contact's row.
from django.db import connection
from bench.selfservice_plain import CREATE_SQL
with connection.cursor() as cursor:
    cursor.execute(CREATE_SQL)
    cursor.execute("DELETE FROM bench_plain_contact")
    cursor.execute(
        "INSERT INTO bench_plain_contact VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [contact.pk, contact.enterprise_id, str(contact.name), str(contact.mobile), str(contact.email),
         str(contact.wechat or ""), str(contact.id_number or ""), contact.position, contact.source],
    )
print(contact.pk, link_services.selfservice_link(contact))
PYEOF
)
CONTACT_ID=${SELF_PATH%% *}
SELF_PATH=${SELF_PATH##* }

if [ "${1:-}" = "--profile" ]; then
  exec $PY bench/selfservice_profile.py "$SELF_PATH"
fi

WORKER_CLASS=${BENCH_WORKER_CLASS:-sync}
THREADS=${BENCH_THREADS:-1}
ROUNDS=${BENCH_ROUNDS:-3}
.venv/bin/gunicorn zhaoshang.wsgi:application -w 2 -k "$WORKER_CLASS" --threads "$THREADS" -b 127.0.0.1:$PORT --log-level warning \
  --env DJANGO_SETTINGS_MODULE=bench.selfservice_bench >/tmp/bench-selfservice-gunicorn.log 2>&1 &
GPID=$!
trap 'kill $GPID 2>/dev/null || true; wait $GPID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/bench-hello/" 2>/dev/null && break; sleep 0.2; done
# pass the link's door once: its answer (a redirect to /c/) sets the cookie every page view then sends
COOKIE=$(curl -fsS -o /dev/null -D - "http://127.0.0.1:$PORT$SELF_PATH" | tr -d '\r' \
  | awk 'tolower($1) == "set-cookie:" && $2 ~ /^zs_selfservice=/ {sub(/;.*/, "", $2); print $2}')
[ -n "$COOKIE" ] || { echo "the self-service link did not set its door cookie" >&2; exit 1; }
# the plain equivalent: the person's id in a session, once (its cookie is sent with every request)
SESSION=$(curl -fsS -o /dev/null -D - "http://127.0.0.1:$PORT/bench-plain/open/$CONTACT_ID/" | tr -d '\r' \
  | awk 'tolower($1) == "set-cookie:" && $2 !~ /^csrftoken=/ {sub(/;.*/, "", $2); print $2}' | head -1)
[ -n "$SESSION" ] || { echo "the plain equivalent did not set its session cookie" >&2; exit 1; }
COOKIE="$COOKIE; $SESSION"
PAGE_PATH=/c/
# warm both workers and check the page answers 200
for _ in 1 2 3 4; do
  for path in "$PAGE_PATH" /bench-plain/ /bench-hello/; do curl -fsS -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path"; done
done
# the two pages show the same rows: compare their visible text (the page's own differences aside)
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$PAGE_PATH" >/tmp/bench-selfservice-page.html
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/bench-plain/" >/tmp/bench-selfservice-plain.html
$PY - <<'PYEOF'
import re
def text(name):
    html = open(name, encoding="utf-8").read()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return [t for t in re.sub(r"<[^>]+>", "\n", html).split("\n") if t.strip()]
page, plain = text("/tmp/bench-selfservice-page.html"), text("/tmp/bench-selfservice-plain.html")
same = sum(1 for a, b in zip(page, plain) if a.strip() == b.strip())
print(f"page vs plain equivalent: {len(page)} and {len(plain)} text lines, {same} identical in place"
      f" ({'same content' if page == plain else 'DIFFERENT content: see /tmp/bench-selfservice-*.html'})")
PYEOF

cpu_ticks() {  # $@ pids -> their user+system CPU so far, in clock ticks
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat")))
  done
  echo "$total"
}
TICK_MS=$((1000 / $(getconf CLK_TCK)))

run() {  # $1 label, $2 path -> prints "label req/s p99 errors" and CPU per request
  # CPU per request counts only the gunicorn workers and their PostgreSQL backends, so it does not
  # depend on what else the machine runs (req/s and p99 do).
  local workers backends w0 b0
  workers=$(pgrep -P "$GPID" | tr '\n' ' ')
  backends=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$DB'" | tr '\n' ' ')
  w0=$(cpu_ticks $workers); b0=$(cpu_ticks $backends)
  local out; out=$(wrk -t2 -c16 -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$2")
  local w1 b1 n
  w1=$(cpu_ticks $workers); b1=$(cpu_ticks $backends)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  local pg_ms  # only when the same backends served the whole run (CONN_MAX_AGE recycles them)
  if [ "$backends" = "$(psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$DB'" | tr '\n' ' ')" ]; then
    pg_ms=$(awk -v b=$(((b1 - b0) * TICK_MS)) -v n="$n" 'BEGIN {printf "%.2f ms", b/n}')
  else
    pg_ms="n/a (connections recycled)"
  fi
  local rps p99 non2xx sockerr
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  sockerr=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out"); sockerr=${sockerr:-0}
  printf '%-14s %10s req/s   p99 %-9s errors %s (non-2xx %s, socket %s)\n' "$1" "$rps" "$p99" \
    "$((non2xx + sockerr))" "$non2xx" "$sockerr"
  awk -v w=$(((w1 - w0) * TICK_MS)) -v pg="$pg_ms" -v n="$n" \
    'BEGIN {printf "               CPU per request: gunicorn workers %.2f ms, their PostgreSQL backends %s (%d requests)\n", w/n, pg, n}'
  echo "$rps $p99 $((non2xx + sockerr))" >>"/tmp/bench-selfservice-$1"
}

rm -f /tmp/bench-selfservice-hello-world /tmp/bench-selfservice-self-service /tmp/bench-selfservice-plain
echo "gunicorn 2 workers ($WORKER_CLASS, $THREADS threads), wrk -t2 -c16 -d$DURATION, loopback, $ROUNDS rounds"
echo "load before: $(uptime)"
for round in $(seq "$ROUNDS"); do
  run hello-world /bench-hello/
  run self-service "$PAGE_PATH"
  run plain /bench-plain/
done
echo "load after:  $(uptime)"

$PY - <<'PYEOF'
def ms(v):
    v = v.strip()
    for suffix, f in (("us", 0.001), ("ms", 1), ("s", 1000)):
        if v.endswith(suffix):
            return float(v[: -len(suffix)]) * f
    return float(v)

import statistics


def side(name):
    rows = [line.split() for line in open(f"/tmp/bench-selfservice-{name}") if line.strip()]
    return (
        statistics.median(float(r[0]) for r in rows),
        statistics.median(ms(r[1]) for r in rows),
        sum(int(r[2]) for r in rows),
    )


h, s, p = side("hello-world"), side("self-service"), side("plain")
print(f"median hello-world:       {h[0]:9.2f} req/s  p99 {h[1]:8.2f} ms  errors {h[2]}")
print(f"median self-service:      {s[0]:9.2f} req/s  p99 {s[1]:8.2f} ms  errors {s[2]}")
print(f"median plain equivalent:  {p[0]:9.2f} req/s  p99 {p[1]:8.2f} ms  errors {p[2]}")
ratio = s[0] / p[0]
p99 = s[1] / p[1]
print(f"throughput ratio self-service/plain: {ratio:.2f}x (target >= 1.0x)")
print(f"p99 ratio self-service/plain:        {p99:.2f}x (target <= 1.5x)")
print(f"reported: self-service/hello-world throughput {s[0] / h[0]:.2f}x, p99 {s[1] / h[1]:.2f}x")
import json
for figure, target, value, ok in (
    ("self-service throughput vs plain equivalent", ">= 1.0x", f"{ratio:.2f}x ({s[0]:.0f} vs {p[0]:.0f} req/s)", ratio >= 1.0),
    ("self-service p99 vs plain equivalent", "<= 1.5x", f"{p99:.2f}x ({s[1]:.1f} vs {p[1]:.1f} ms)", p99 <= 1.5),
    ("self-service errors", "0", str(s[2] + p[2]), s[2] == 0),
    ("self-service vs hello-world (reported)", "", f"{s[0] / h[0]:.2f}x req/s, p99 {s[1] / h[1]:.2f}x", None),
):
    line = {"figure": figure, "target": target, "value": value, "ok": ok}
    print("BENCH-RESULT " + json.dumps(line, ensure_ascii=False))
PYEOF
