#!/usr/bin/env python
"""Benchmark of encrypted files (privacy.files): 10 MB through the zsf1 format vs one AEAD call.

    .venv/bin/python bench/files.py [--size-mb 10] [--repeat 5]

No database: uses transient keys (the import-spool path), which run the same chunked code as
files owned by a row. Prints the best of `repeat` runs per suite.
"""

import argparse
import base64
import os
import sys
import time
from pathlib import Path

sys.path[:] = [
    str(Path(__file__).resolve().parent.parent),
    *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent.parent / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import summary  # noqa: E402
from privacy import files  # noqa: E402
from privacy.crypto.suites import SUITES  # noqa: E402


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def measure(suite, data, repeat):
    key = f"{suite.name}:{base64.b64encode(os.urandom(suite.key_size)).decode()}"
    blob = files.encrypt_transient(data, key=key, purpose="bench")
    cipher, nonce = suite.cipher(os.urandom(suite.key_size)), os.urandom(12)
    single = cipher.encrypt(nonce, data, b"")
    return {
        "zsf1 encrypt": f"{best(lambda: files.encrypt_transient(data, key=key, purpose='bench'), repeat):.0f}",
        "zsf1 decrypt": f"{best(lambda: files.decrypt_transient(blob, key=key, purpose='bench'), repeat):.0f}",
        "| one AEAD call encrypt": f"{best(lambda: cipher.encrypt(nonce, data, b''), repeat):.0f}",
        "decrypt": f"{best(lambda: cipher.decrypt(nonce, single, b''), repeat):.0f}",
        "| size overhead (bytes)": str(len(blob) - len(data)),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = os.urandom(args.size_mb * 1024 * 1024)
    print(f"{args.size_mb} MB, chunk {files.CHUNK_SIZE // 1024} KiB, best of {args.repeat} (ms)")
    for suite in SUITES.values():
        figures = measure(suite, data, args.repeat)
        print(f"{suite.name}: " + "  ".join(f"{k} {v}" for k, v in figures.items()))
        summary.result(
            f"{suite.name} encrypted file, {args.size_mb} MB: encrypt / decrypt",
            target="",
            value=f"{figures['zsf1 encrypt']} / {figures['zsf1 decrypt']} ms",
            ok=None,
        )


if __name__ == "__main__":
    main()
