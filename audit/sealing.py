"""Hash chains over the audit trail: seal new entries, verify every seal and entry.

Three chains, each over one table in id order:

- ``log``: django-auditlog's LogEntry (writes),
- ``access``: AccessEvent with its AccessSubject ids (reads, sign-ins),
- ``redaction``: Redaction (the record of every entry redacted for an erasure).

Per entry: ``d = H(canonical JSON of the row)``. Per seal: ``link = H(link || id || d)`` folded over
its entries, starting from the previous seal's digest (64 zeros for the first). A seal stores the
packed ``(id, d)`` pairs, its first/last id, count, previous digest and final digest. H is SHA-256,
or SM3 when ``CIPHER_SUITE == "sm4"``; each seal names its algorithm, so switching suites keeps the
older seals verifiable.

``verify_chain`` re-computes everything and reports the first problem in id order: a seal whose
digest or link to its predecessor is broken, an entry whose digest differs (altered), an entry sealed
but gone (deleted), or a row inside a sealed range that no seal lists (inserted out of order).

Redaction: an erased person's entries are rewritten, never deleted (``audit.services.
redact_entries_for``), and a Redaction row keeps the digest before and after. Verification accepts a
sealed entry whose current digest is reached from its sealed digest through such rows; the rows are
themselves sealed in the ``redaction`` chain, so one cannot be forged later without breaking it.

Only entries older than ``AUDIT_SEAL_GRACE_SECONDS`` are sealed, so that a transaction still open when
the job runs (holding a lower id) does not later look like an out-of-order insertion.

Limits: someone able to rewrite the database can recompute every seal. The job therefore writes each
new seal digest to the application log (shipped off the host), and `verify_audit_trail --show-head`
prints the head digests for an auditor to record on paper; compare with those.
"""

import datetime
import hashlib
import json
import logging
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from auditlog.models import LogEntry
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AccessEvent, AccessSubject, AuditSeal, Chain, Redaction

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
_PAIR = struct.Struct(">q32s")

LOG_FIELDS = (
    "id",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "actor_email",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
)
ACCESS_FIELDS = (
    "id",
    "at",
    "user_id",
    "action",
    "content_type_id",
    "object_id",
    "purpose",
    "row_count",
    "detail",
    "correlation_id",
    "remote_addr",
    "redacted",
)
REDACTION_FIELDS = (
    "id",
    "chain",
    "entry_id",
    "algorithm",
    "original_digest",
    "redacted_digest",
    "reason",
    "reference",
    "actor_id",
    "at",
)


@dataclass(frozen=True)
class ChainSource:
    model: type
    fields: tuple
    time_field: str


def chain_source(chain):
    return {
        Chain.LOG: ChainSource(LogEntry, LOG_FIELDS, "timestamp"),
        Chain.ACCESS: ChainSource(AccessEvent, ACCESS_FIELDS, "at"),
        Chain.REDACTION: ChainSource(Redaction, REDACTION_FIELDS, "at"),
    }[chain]


# --- Digests -------------------------------------------------------------------------------------


def current_algorithm():
    return "sm3" if settings.CIPHER_SUITE == "sm4" else "sha256"


def _hash(algorithm, data):
    if algorithm == "sha256":
        return hashlib.sha256(data).digest()
    if algorithm == "sm3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()
    raise ValueError(f"unknown digest algorithm {algorithm!r}")


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.utcoffset() is not None else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time, Decimal)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return str(value)


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)
_JSON_NATIVE = (str, int, float, bool, type(None), dict, list)


def canonical(row):
    """The bytes an entry's digest is computed over: sorted-key compact JSON of its column values."""
    return _ENCODER.encode(row).encode()


def json_ready(row):
    """Replace, in place, the top-level values of `row` that JSON has no type for (datetimes…) by the
    string `canonical` writes for them; returns `row`. Same canonical bytes, cheaper to encode more
    than once (a row digested before and after redaction converts its timestamp once)."""
    for name, value in row.items():
        if not isinstance(value, _JSON_NATIVE):
            row[name] = _json_default(value)
    return row


def entry_digest(algorithm, row):
    return _hash(algorithm, canonical(row))


def _link(algorithm, prev, entry_id, digest):
    return _hash(algorithm, prev + _PAIR.pack(entry_id, digest))


def fold(algorithm, prev_hex, pairs):
    link = bytes.fromhex(prev_hex)
    for entry_id, digest in pairs:
        link = _link(algorithm, link, entry_id, digest)
    return link.hex()


def pack(pairs):
    return zlib.compress(b"".join(_PAIR.pack(i, d) for i, d in pairs), 1)


def unpack(blob):
    raw = zlib.decompress(bytes(blob))
    return [_PAIR.unpack_from(raw, off) for off in range(0, len(raw), _PAIR.size)]


def _fold_subjects(rows, pairs):
    subjects = {}
    for event_id, contact_id in pairs.values_list("event_id", "contact_id"):
        subjects.setdefault(event_id, []).append(contact_id)
    for row in rows:
        row["subjects"] = sorted(subjects.get(row["id"], ()))


def rows_for(chain, qs):
    """Column dicts of the given rows of a chain, in id order, with AccessSubject ids folded in."""
    source = chain_source(chain)
    if not qs.query.is_sliced:
        qs = qs.order_by("id")
    rows = list(qs.values(*source.fields))
    if chain == Chain.ACCESS and rows:
        _fold_subjects(rows, AccessSubject.objects.filter(event_id__gte=rows[0]["id"], event_id__lte=rows[-1]["id"]))
    return rows


def entry_rows(chain, ids, *, where=None):
    """`rows_for` of scattered entries `ids` (redaction): subjects fetched for those ids only.

    `where(field, ids)` builds the id filter (default ``field__in``; the redaction passes
    ``audit.services.any_of``, one array parameter).
    """
    where = where or (lambda name, values: Q(**{f"{name}__in": values}))
    source = chain_source(chain)
    rows = list(source.model.objects.filter(where("id", ids)).order_by("id").values(*source.fields))
    if chain == Chain.ACCESS and rows:
        _fold_subjects(rows, AccessSubject.objects.filter(where("event_id", ids)))
    return rows


def digest_of(chain, entry_id, algorithm):
    """Hex digest of one entry as it stands now (None if the row does not exist)."""
    source = chain_source(chain)
    rows = rows_for(chain, source.model.objects.filter(id=entry_id))
    return entry_digest(algorithm, rows[0]).hex() if rows else None


def algorithm_for(chain, entry_id):
    """The algorithm of the seal covering an entry, or the current one for an unsealed entry."""
    seal = AuditSeal.objects.filter(chain=chain, from_id__lte=entry_id, to_id__gte=entry_id).only("algorithm").first()
    return seal.algorithm if seal else current_algorithm()


# --- Sealing -------------------------------------------------------------------------------------


def _lock(chain):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [(0x5A5348 << 32) | zlib.crc32(chain.encode())])


def seal_chain(chain, *, batch_size=None, now=None):
    """Seal every entry of `chain` not sealed yet (older than the grace period). Returns seals made."""
    batch_size = batch_size or settings.AUDIT_SEAL_BATCH_SIZE
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.AUDIT_SEAL_GRACE_SECONDS)
    made = 0
    while True:
        with transaction.atomic():
            _lock(chain)
            seal = _seal_batch(chain, batch_size, cutoff)
        if seal is None:
            return made
        made += 1
        logger.info(
            "audit seal chain=%s from=%s to=%s count=%s digest=%s",
            chain,
            seal.from_id,
            seal.to_id,
            seal.count,
            seal.digest,
        )


def _seal_batch(chain, batch_size, cutoff):
    source = chain_source(chain)
    last = AuditSeal.objects.filter(chain=chain).order_by("-to_id").only("to_id", "digest").first()
    after, prev = (last.to_id, last.digest) if last else (0, GENESIS)
    pending = source.model.objects.filter(id__gt=after)
    young = pending.filter(**{f"{source.time_field}__gte": cutoff}).order_by("id").values_list("id", flat=True)[:1]
    young = list(young)
    if young:
        pending = pending.filter(id__lt=young[0])
    rows = rows_for(chain, pending.order_by("id")[:batch_size])
    if not rows:
        return None
    algorithm = current_algorithm()
    pairs = [(row["id"], entry_digest(algorithm, row)) for row in rows]
    return AuditSeal.objects.create(
        chain=chain,
        from_id=pairs[0][0],
        to_id=pairs[-1][0],
        count=len(pairs),
        algorithm=algorithm,
        prev_digest=prev,
        digest=fold(algorithm, prev, pairs),
        entries=pack(pairs),
        last_entry_at=rows[-1][source.time_field],
    )


def seal_all(**kwargs):
    return {chain.value: seal_chain(chain, **kwargs) for chain in (Chain.REDACTION, Chain.LOG, Chain.ACCESS)}


# --- Verification --------------------------------------------------------------------------------


@dataclass
class Problem:
    chain: str
    entry_id: int | None
    kind: str  # altered | deleted | inserted | seal
    message: str


@dataclass
class ChainReport:
    chain: str
    seals: int = 0
    entries: int = 0
    redacted: int = 0
    unsealed: int = 0
    head: str = GENESIS
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def _redaction_paths(chain, lo, hi):
    paths = {}
    for entry_id, algorithm, original, redacted in Redaction.objects.filter(
        chain=chain, entry_id__gte=lo, entry_id__lte=hi
    ).values_list("entry_id", "algorithm", "original_digest", "redacted_digest"):
        paths.setdefault(entry_id, []).append((algorithm, original, redacted))
    return paths


def _reached_by_redaction(paths, algorithm, sealed_hex, current_hex):
    seen, frontier = {sealed_hex}, sealed_hex
    steps = {orig: red for alg, orig, red in paths if alg == algorithm}
    while frontier in steps:
        frontier = steps[frontier]
        if frontier == current_hex:
            return True
        if frontier in seen:
            return False
        seen.add(frontier)
    return False


def verify_chain(chain, *, page=5000):
    """Check every seal of `chain` and every entry they cover; problems sorted by entry id."""
    chain = Chain(chain)
    source = chain_source(chain)
    report = ChainReport(chain=chain.value)
    prev, prev_to = GENESIS, 0
    seals = AuditSeal.objects.filter(chain=chain).order_by("from_id")
    for seal in seals.iterator(chunk_size=20):
        report.seals += 1
        problems = []
        where = _("%(chain)s 封存 #%(seal)s（条目 %(first)s–%(last)s）") % {
            "chain": seal.get_chain_display(),
            "seal": seal.pk,
            "first": seal.from_id,
            "last": seal.to_id,
        }
        if seal.prev_digest != prev:
            problems.append(
                Problem(
                    chain,
                    seal.from_id,
                    "seal",
                    _("%(where)s：与前一封存的链接断开（封存被删除或改动）") % {"where": where},
                )
            )
        if seal.from_id <= prev_to:
            problems.append(Problem(chain, seal.from_id, "seal", _("%(where)s：与前一封存范围重叠") % {"where": where}))
        pairs = unpack(seal.entries)
        ids = [i for i, _d in pairs]
        if (
            len(pairs) != seal.count
            or not pairs
            or ids[0] != seal.from_id
            or ids[-1] != seal.to_id
            or ids != sorted(set(ids))
            or fold(seal.algorithm, seal.prev_digest, pairs) != seal.digest
        ):
            problems.append(
                Problem(
                    chain, seal.from_id, "seal", _("%(where)s：封存内容与摘要不符（封存被改动）") % {"where": where}
                )
            )
        if not seal.pruned_at and not problems:
            problems.extend(_verify_entries(chain, source, seal, dict(pairs), prev_to, page))
        report.entries += seal.count
        if problems:
            report.problems.extend(problems)
            break
        prev, prev_to = seal.digest, seal.to_id
    report.head = prev
    if not report.problems:
        report.unsealed = source.model.objects.filter(id__gt=prev_to).count()
    report.redacted = Redaction.objects.filter(chain=chain).count()
    report.problems.sort(key=lambda p: (p.entry_id is None, p.entry_id or 0))
    return report


_ENTRY_PROBLEMS = {
    "deleted": gettext_lazy("条目 #%(entry)s 已封存于 #%(seal)s，但已不存在：被删除"),
    "inserted": gettext_lazy("条目 #%(entry)s 不在封存 #%(seal)s 中：被乱序插入"),
    "altered": gettext_lazy("条目 #%(entry)s 与封存 #%(seal)s 的摘要不符：被改动"),
}


def _entry_problem(chain, entry_id, kind, seal):
    """The one problem `_verify_entries` reports, in the reader's language."""
    return [Problem(chain, entry_id, kind, str(_ENTRY_PROBLEMS[kind]) % {"entry": entry_id, "seal": seal.pk})]


def _verify_entries(chain, source, seal, sealed, prev_to, page):
    """Walk live rows in (prev_to, to_id] beside the sealed (id, digest) list; first problem only."""
    paths = _redaction_paths(chain, prev_to + 1, seal.to_id)
    sealed_ids = sorted(sealed)
    k = 0  # next sealed id not yet matched
    cursor = prev_to
    while True:
        rows = rows_for(chain, source.model.objects.filter(id__gt=cursor, id__lte=seal.to_id).order_by("id")[:page])
        if not rows:
            break
        for row in rows:
            entry_id = row["id"]
            if k < len(sealed_ids) and sealed_ids[k] < entry_id:
                return _entry_problem(chain, sealed_ids[k], "deleted", seal)
            if k >= len(sealed_ids) or sealed_ids[k] != entry_id:
                return _entry_problem(chain, entry_id, "inserted", seal)
            k += 1
            expected = sealed[entry_id]
            actual = entry_digest(seal.algorithm, row)
            if actual != expected and not _reached_by_redaction(
                paths.get(entry_id, ()), seal.algorithm, expected.hex(), actual.hex()
            ):
                return _entry_problem(chain, entry_id, "altered", seal)
        cursor = rows[-1]["id"]
    if k < len(sealed_ids):
        return _entry_problem(chain, sealed_ids[k], "deleted", seal)
    return []


def verify_all():
    return [verify_chain(chain) for chain in (Chain.REDACTION, Chain.LOG, Chain.ACCESS)]
