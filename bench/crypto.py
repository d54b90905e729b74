#!/usr/bin/env python
"""Benchmarks of the field-encryption layer (privacy.crypto). Prints its figures.

    .venv/bin/python bench/crypto.py [--subjects 200000] [--skip-rotation] [--callgrind] [--only-field]

Runs against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zhaoshang) in a
throw-away database ``test_zhaoshang_crypto_bench``, with random keys generated for the run, and
the encryption test models (tests.crypto_testapp). Figures:

1. one field encrypt+decrypt through the field's own hooks (assign, pre_save/get_db_prep_save,
   from_db_value, attribute read) against raw AES-256-GCM / SM4-GCM on the same value;
2. blind index (normalisation + keyed hash + hex) against a raw HMAC of the normalised value;
3. reading a page of 50 rows (5 encrypted fields each, 50 distinct subject keys);
4. rotate_keys over N subjects: wall time, and proof that no field ciphertext was rewritten
   (checksum of the ciphertext columns and count of rows with a new tuple version).

Ratios come from the best of many short runs, raw and ours interleaved; on a machine busy with
other work they still drift upwards — run it on a quiet one. ``--callgrind`` adds the ratio of
figure 1 in instructions counted by valgrind, which does not depend on the load (about a minute).
"""

import argparse
import base64
import hmac
import os
import secrets
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import summary  # noqa: E402


def _b64(n):
    return base64.b64encode(secrets.token_bytes(n)).decode()


OLD_KEY = f"bench-old:{_b64(32)}"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhaoshang")
os.environ["ZHAOSHANG_ENV_FILE"] = os.devnull
os.environ["ZHAOSHANG_TESTING"] = "True"
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
os.environ["FIELD_ENCRYPTION_KEYS"] = OLD_KEY
os.environ["BLIND_INDEX_KEY"] = _b64(32)
os.environ.setdefault("REDIS_URL", "")
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"

import django  # noqa: E402

django.setup()

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives import hmac as crypto_hmac  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from privacy.crypto.keyring import data_keys  # noqa: E402
from privacy.models import SubjectKey  # noqa: E402
from tests.crypto_testapp.models import Person  # noqa: E402

MOBILE = "13812345678"
MOBILE_TYPED = "+86 138-1234-5678"
EMAIL = "Zhang.San@Example.COM"
AAD = b"crypto_testapp.person.mobile"
TARGETS = {"aes": 3.0, "sm4": 1.5}


def compare_us(raw, ours, number, repeat=40):
    """(raw µs, ours µs): best of `repeat` short interleaved runs, so that load on the machine hits
    both alike and the minimum of each finds the machine quiet."""
    raw_runs, our_runs = [], []
    for _ in range(repeat):
        raw_runs.append(timeit.timeit(raw, number=number))
        our_runs.append(timeit.timeit(ours, number=number))
    return min(raw_runs) / number * 1e6, min(our_runs) / number * 1e6


def field_pair(suite):
    """(raw, ours): one encrypt+decrypt of the same value by the raw cipher and through the field."""
    with override_settings(CIPHER_SUITE=suite):
        writer = Person.objects.create(name="bench")
        reader = Person.objects.get(pk=writer.pk)
        reader.mobile  # noqa: B018 - unwrap the data key once, as a loaded page would
    field = Person._meta.get_field("mobile")

    def ours():
        writer.mobile = MOBILE
        token = field.get_db_prep_save(field.pre_save(writer, False), connection)
        reader.mobile = field.from_db_value(token, None, connection)
        return reader.mobile

    assert ours() == MOBILE
    plaintext = MOBILE.encode()
    if suite == "aes":
        aead = AESGCM(secrets.token_bytes(32))

        def raw():
            nonce = os.urandom(12)
            return aead.decrypt(nonce, aead.encrypt(nonce, plaintext, AAD), AAD)

    else:
        sm4 = algorithms.SM4(secrets.token_bytes(16))

        def raw():
            nonce = os.urandom(12)
            encryptor = Cipher(sm4, modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(AAD)
            ciphertext = encryptor.update(plaintext) + encryptor.finalize()
            decryptor = Cipher(sm4, modes.GCM(nonce, encryptor.tag)).decryptor()
            decryptor.authenticate_additional_data(AAD)
            return decryptor.update(ciphertext) + decryptor.finalize()

    assert raw() == plaintext
    return raw, ours


def bench_field(suite, number):
    raw, ours = field_pair(suite)
    raw_us, ours_us = compare_us(raw, ours, number)
    print(
        f"  {suite}: field {ours_us:6.2f} µs  raw {raw_us:6.2f} µs  ratio {ours_us / raw_us:4.2f}× "
        f"(target ≤ {TARGETS[suite]}×)"
    )
    ratio = ours_us / raw_us
    summary.result(
        f"{suite} field round trip vs raw cipher (wall clock)",
        target=f"≤ {TARGETS[suite]}×",
        value=f"{ratio:.2f}× ({ours_us:.2f} vs {raw_us:.2f} µs)",
        ok=ratio <= TARGETS[suite],
    )


# --- instruction counts (--callgrind) ---------------------------------------------------------------
#
# Wall-clock ratios on a shared machine drift with load. Instruction counts do not: the parent runs
# this script again under `valgrind --tool=callgrind` (--callgrind-child) against the database it
# created; the child runs the same raw/ours pairs as above, each loop inside its own call of the C
# function `builtin_breakpoint` (a `sys.breakpointhook`), and callgrind collects only inside that
# function and dumps after each call: one file per loop. An empty loop is subtracted from each.
# Instruction counts are not time (an AES-NI instruction counts one, like a Python bytecode's
# dispatch): the figure is for comparing runs and changes, next to the wall-clock ratio the issue
# asks for, not instead of it.

CALLGRIND_REGIONS = ("empty", "aes raw", "aes ours", "sm4 raw", "sm4 ours")


def callgrind_child(number):
    """Run under callgrind by `bench_callgrind`: each region is one breakpoint() call.

    Its rows are deleted (their keys shredded) at the end: they are wrapped under this process's own
    random master key, which the parent's rotation benchmark could not unwrap.
    """
    first = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        _callgrind_regions(number)
    finally:
        for person in Person.objects.filter(pk__gt=first):
            person.delete()


def _callgrind_regions(number):
    pairs = {suite: field_pair(suite) for suite in TARGETS}
    loops = {"empty": lambda: None}
    for suite, (raw, ours) in pairs.items():
        loops[f"{suite} raw"], loops[f"{suite} ours"] = raw, ours

    def run(function):
        for _ in range(number):
            function()

    for name in CALLGRIND_REGIONS:
        sys.breakpointhook = lambda function=loops[name]: run(function)
        breakpoint()  # the marker callgrind collects inside


def bench_callgrind(number):
    import re
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zs-crypto-callgrind-") as out:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=builtin_breakpoint",
            "--dump-after=builtin_breakpoint",
            f"--callgrind-out-file={out}/cg.out",
            sys.executable,
            __file__,
            "--callgrind-child",
            "--number",
            str(number),
        ]
        env = {**os.environ, "CRYPTO_BENCH_DATABASE": connection.settings_dict["NAME"]}
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our argv
        counts = []
        for part in range(1, len(CALLGRIND_REGIONS) + 1):
            try:
                text = Path(f"{out}/cg.out.{part}").read_text()
            except FileNotFoundError:
                print(f"  callgrind gave no figures (exit {result.returncode}): {result.stderr.strip()[-500:]}")
                print("  (it needs valgrind and a Python whose libpython keeps the symbol builtin_breakpoint)")
                return
            counts.append(int(re.search(r"^totals: (\d+)", text, re.MULTILINE).group(1)))
    per_call = dict(zip(CALLGRIND_REGIONS, counts, strict=True))
    empty = per_call.pop("empty")
    per_call = {name: (count - empty) / number for name, count in per_call.items()}
    for suite, target in TARGETS.items():
        raw, ours = per_call[f"{suite} raw"], per_call[f"{suite} ours"]
        print(
            f"  {suite}: field {ours:8.0f} instructions  raw {raw:8.0f}  ratio {ours / raw:4.2f}× (target ≤ {target}×)"
        )
        summary.result(
            f"{suite} field round trip vs raw cipher (instructions)",
            target=f"≤ {target}×",
            value=f"{ours / raw:.2f}×",
            ok=ours / raw <= target,
        )


def bench_blind(suite, number):
    with override_settings(CIPHER_SUITE=suite):
        mobile = Person._meta.get_field("mobile_bidx")
        email = Person._meta.get_field("email_bidx")
        mobile.digest(MOBILE)  # derive the per-field key once
        email.digest(EMAIL)
        key = secrets.token_bytes(32)
        if suite == "aes":

            def raw(message):
                return hmac.digest(key, message, "sha256")

        else:

            def raw(message):
                h = crypto_hmac.HMAC(key, hashes.SM3())
                h.update(message)
                return h.finalize()

        for label, field, value, normalised in (
            ("mobile", mobile, MOBILE, MOBILE),
            ("mobile typed", mobile, MOBILE_TYPED, MOBILE),
            ("email", email, EMAIL, EMAIL.lower()),
        ):
            message = normalised.encode()
            raw_us, ours_us = compare_us(
                lambda message=message: raw(message), lambda field=field, value=value: field.digest(value), number
            )
            print(
                f"  {suite} {label:12s}: index {ours_us:5.2f} µs  raw HMAC {raw_us:5.2f} µs  "
                f"ratio {ours_us / raw_us:4.2f}× (target ≤ 2×)"
            )
            summary.result(
                f"{suite} blind index ({label}) vs raw HMAC",
                target="≤ 2×",
                value=f"{ours_us / raw_us:.2f}×",
                ok=ours_us / raw_us <= 2,
            )


def bench_page():
    people = [
        Person(
            name=f"张{i}",
            mobile=f"139{i:08d}",
            email=f"person{i}@example.cn",
            wechat=f"wx_{i}",
            id_number=f"11010119900101{i:04d}",
        )
        for i in range(50)
    ]
    Person.objects.bulk_create(people)
    pks = [p.pk for p in people]
    fields = ("name", "mobile", "email", "wechat", "id_number")

    def read_page():
        rows = list(Person.objects.filter(pk__in=pks).order_by("pk"))
        return [[getattr(row, name) for name in fields] for row in rows]

    def timed(cold):
        best = float("inf")
        for _ in range(20):
            if cold:
                data_keys.clear()
            start = time.perf_counter()
            read_page()
            best = min(best, time.perf_counter() - start)
        return best * 1000

    def query_only():
        best = float("inf")
        for _ in range(20):
            start = time.perf_counter()
            list(Person.objects.filter(pk__in=pks).order_by("pk"))
            best = min(best, time.perf_counter() - start)
        return best * 1000

    print(
        f"  query + decrypt 250 values: cold key cache {timed(True):.2f} ms, warm {timed(False):.2f} ms "
        f"(the query alone: {query_only():.2f} ms)"
    )


def _ciphertext_state():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(string_agg(concat_ws('|', name, mobile, email, wechat, id_number), ',' ORDER BY id))"
            " FROM crypto_testapp_person"
        )
        return cursor.fetchone()


def bench_rotation(subjects):
    batch = 5000
    start = time.perf_counter()
    for first in range(0, subjects, batch):
        Person.objects.bulk_create(
            Person(name=f"李{i}", mobile=f"137{i:08d}", email=f"p{i}@example.cn")
            for i in range(first, min(first + batch, subjects))
        )
    print(f"  seeded {subjects} subjects (3 encrypted fields each) in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "CREATE TEMP TABLE bench_versions AS SELECT id, xmin::text AS version FROM crypto_testapp_person"
        )
    before = _ciphertext_state()
    new_key = f"bench-new:{_b64(32)}"
    with override_settings(FIELD_ENCRYPTION_KEYS=f"{new_key},{OLD_KEY}"):
        start = time.perf_counter()
        call_command("rotate_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
        elapsed = time.perf_counter() - start
    after = _ciphertext_state()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM crypto_testapp_person p JOIN bench_versions v USING (id)"
            " WHERE p.xmin::text <> v.version"
        )
        rewritten = cursor.fetchone()[0]
    keys = SubjectKey.objects.count()
    print(f"  rotate_keys re-wrapped {keys} subject keys in {elapsed:.1f} s (target ≤ 60 s)")
    summary.result(f"rotate_keys over {keys:,} subjects", target="≤ 60 s", value=f"{elapsed:.1f} s", ok=elapsed <= 60)
    summary.result(
        "field rows rewritten by rotation", target="0", value=str(rewritten), ok=rewritten == 0 and before == after
    )
    print(
        f"  field ciphertexts rewritten: {rewritten} rows with a new tuple version; checksum of ciphertext columns "
        f"{'unchanged' if before == after else 'CHANGED'} ({before[1]})"
    )
    with override_settings(FIELD_ENCRYPTION_KEYS=new_key):  # the old master key retired
        sample = list(Person.objects.order_by("?")[:100])
        assert all(p.name.startswith("李") for p in sample)
        print(f"  old master key removed: {len(sample)} random rows still decrypt")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--skip-rotation", action="store_true")
    parser.add_argument("--number", type=int, default=2_000, help="calls per timing run")
    parser.add_argument(
        "--callgrind", action="store_true", help="also count instructions of the field round trip under callgrind"
    )
    parser.add_argument("--only-field", action="store_true", help="only the field round trips")
    parser.add_argument("--callgrind-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.callgrind_child:  # under valgrind, in the database the parent created
        connection.settings_dict["NAME"] = os.environ["CRYPTO_BENCH_DATABASE"]
        callgrind_child(args.number)
        return

    database_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "test_zhaoshang_crypto_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print("Field encrypt+decrypt through the field vs raw cipher (same value, same run):")
        bench_field("aes", args.number)
        bench_field("sm4", args.number // 4)
        if args.callgrind:
            print("The same, in instructions under callgrind (load-independent; see bench_callgrind):")
            bench_callgrind(args.number)
        if args.only_field:
            return
        print("Blind index incl. normalisation vs raw HMAC:")
        bench_blind("aes", args.number)
        bench_blind("sm4", args.number)
        print("Page of 50 rows × 5 encrypted fields, 50 distinct subject keys:")
        bench_page()
        if not args.skip_rotation:
            print(f"Master-key rotation over {args.subjects} subjects:")
            bench_rotation(args.subjects)
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()
