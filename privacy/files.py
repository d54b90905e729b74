"""Encrypted files: uploads that hold personal data are encrypted before they reach MEDIA_ROOT.

Used for complaint attachments, offline consent evidence, rectification evidence and the Excel
import spool. The
content type is checked (magic bytes) on the plaintext upload *before* it is encrypted here.

Keys
    A file belongs to a row that owns a subject data key (`privacy.crypto.PersonalDataModel`):
    a complaint's attachments to the complaint, consent evidence to the contact. Each file gets
    its own random file key, which is sealed (AEAD) under the owner's data key and stored in the
    file's header — envelope encryption one level down, so the owner's data key encrypts one
    small value per file rather than megabytes. Crypto-shredding the owner's key
    (`privacy.crypto.shred_subject`, or deleting the row) makes every file of the owner
    unreadable, copies in backups included.

    The import spool has no owner row (nothing is imported yet): it uses a *transient* key
    (`new_transient_key`), random per file and wrapped by the master key like every data key,
    kept only in the database — the importing user's server-side session, and while a confirmed
    import runs its batch row — never on disk next to the file. A backup of the database and
    MEDIA_ROOT together still cannot open a spooled file without the master key; once the session
    ends the file is noise, and the hourly sweep (`clients.tasks.sweep_import_spool`) deletes it.

Stored format (version ``zsf1``), the file counterpart of the field token ``zs1$<suite>$``::

    b"zsf1$" + suite (3 ASCII bytes) + b"$"            9 bytes: format version and suite
    chunk size                                          4 bytes, big-endian
    file id                                             16 random bytes
    sealed file key                                     nonce 12 | key (32 aes / 16 sm4) | tag 16
    chunks                                              ciphertext | tag 16, each

Chunks are CHUNK_SIZE bytes of plaintext (the last one shorter, possibly empty) encrypted with
the file key under the nonce ``counter (11 bytes) | last flag (1 byte)`` — the STREAM
construction: reordering, dropping or truncating chunks fails authentication, and nonces never
repeat because every file key is fresh. The associated data of the sealed key and of every
chunk is the whole header so far plus ``zhaoshang.file|<owner model>|<owner pk>|<purpose>``: a
file moved to another owner, another purpose or another row fails to decrypt.

Decryption checks every chunk before returning anything, so a tampered file raises
`DecryptionError` (a shredded owner `SubjectKeyShredded`) instead of half a download. Files are
at most 10 MB here, so decrypting into memory is fine. `bench/files.py` on this machine class
(busy), best of 5 for 10 MB: AES-256-GCM zsf1 encrypt ~17 ms / decrypt ~25 ms (one AESGCM call:
~3 ms), SM4-GCM ~250 / ~210 ms (one call: ~220 ms); 1 MiB chunks keep the encrypt side
streaming from an upload on disk.
"""

import os
import struct

from cryptography.exceptions import InvalidTag
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse

from privacy.crypto import DecryptionError, SubjectKeyShredded
from privacy.crypto.keyring import get_keyring, unwrap_transient, wrap_transient
from privacy.crypto.suites import NONCE_SIZE, TAG_SIZE, get_suite, seal, unseal

FORMAT_VERSION = b"zsf1"
CHUNK_SIZE = 1024 * 1024
FILE_ID_SIZE = 16
ENCRYPTED_EXTENSION = "zsf"
_PREFIX_SIZE = len(FORMAT_VERSION) + 5  # b"zsf1$" + 3-letter suite + b"$"
_FIXED_SIZE = _PREFIX_SIZE + 4 + FILE_ID_SIZE

# Purposes (part of the associated data): one per kind of file, never reused for another.
COMPLAINT_ATTACHMENT = "complaints.attachment"
CONSENT_EVIDENCE = "privacy.consent_evidence"
RECTIFICATION_EVIDENCE = "audit.rectification_evidence"
IMPORT_SPOOL = "clients.import_spool"


class FileDecryptionError(DecryptionError):
    """An encrypted file could not be opened: not a zsf1 file, truncated, altered or moved."""


def looks_encrypted(head):
    """Whether the first bytes `head` of a file have the shape of a `zsf1` header."""
    return head[:5] == FORMAT_VERSION + b"$" and head[8:9] == b"$"


# --- Owner keys -----------------------------------------------------------------------------------


def _owner_context(owner, purpose):
    if owner.pk is None:
        raise ValueError("An encrypted file needs a saved owner row (its primary key is in the associated data).")
    return f"zhaoshang.file|{owner._meta.label_lower}|{owner.pk}|{purpose}".encode()


def _owner_key(owner):
    """The owner's `privacy.SubjectKey`; `SubjectKeyShredded` once it has been destroyed."""
    key = owner.subject_key
    if key is None:
        raise SubjectKeyShredded(
            f"{owner._meta.label} {owner.pk} 没有数据密钥，无法加解密其文件。 "
            f"({owner._meta.label} {owner.pk} has no subject key.)"
        )
    return key


# --- The format -----------------------------------------------------------------------------------


def _read_chunks(source):
    """Plaintext pieces of `source`: bytes, or a Django File / UploadedFile (read in chunks)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield bytes(source)
        return
    if hasattr(source, "seek"):
        source.seek(0)
    if hasattr(source, "chunks"):
        yield from source.chunks(CHUNK_SIZE)
    else:
        yield source.read()
    if hasattr(source, "seek"):
        source.seek(0)


def _nonce(counter, last):
    return counter.to_bytes(NONCE_SIZE - 1, "big") + (b"\x01" if last else b"\x00")


def _encrypt(source, *, wrap_cipher, suite, context):
    file_key = os.urandom(suite.key_size)
    header = (
        FORMAT_VERSION
        + b"$"
        + suite.name.encode("ascii")
        + b"$"
        + struct.pack(">I", CHUNK_SIZE)
        + os.urandom(FILE_ID_SIZE)
    )
    aad = header + context
    out = [header, seal(wrap_cipher, file_key, aad)]
    cipher = suite.cipher(file_key)
    pending = b""
    counter = 0
    for piece in _read_chunks(source):
        pending = pending + piece if pending else piece
        view, offset = memoryview(pending), 0
        while len(pending) - offset > CHUNK_SIZE:  # keep the last (possibly full) chunk back: it is flagged
            out.append(cipher.encrypt(_nonce(counter, False), view[offset : offset + CHUNK_SIZE], aad))
            offset += CHUNK_SIZE
            counter += 1
        pending = bytes(view[offset:]) if offset else pending
    out.append(cipher.encrypt(_nonce(counter, True), pending, aad))
    return b"".join(out)


def _parse_header(blob):
    if len(blob) < _FIXED_SIZE or not looks_encrypted(blob):
        raise FileDecryptionError("文件不是加密文件或已损坏。 (Not a zsf1 encrypted file, or truncated.)")
    try:
        suite = get_suite(blob[5:8].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise FileDecryptionError("文件的密码套件未知。 (Unknown cipher suite in the file header.)") from None
    (chunk_size,) = struct.unpack(">I", blob[_PREFIX_SIZE : _PREFIX_SIZE + 4])
    if chunk_size == 0:
        raise FileDecryptionError("文件头已损坏。 (Corrupt file header.)")
    return suite, chunk_size


def _decrypt(blob, *, wrap_cipher, suite, context):
    file_suite, chunk_size = _parse_header(blob)
    if file_suite is not suite:
        raise FileDecryptionError(
            f"文件的密码套件（{file_suite.name}）与密钥（{suite.name}）不符。 "
            f"(File suite {file_suite.name} does not match key suite {suite.name}.)"
        )
    header = blob[:_FIXED_SIZE]
    aad = header + context
    sealed_size = NONCE_SIZE + suite.key_size + TAG_SIZE
    body = memoryview(blob)[_FIXED_SIZE + sealed_size :]
    try:
        file_key = unseal(wrap_cipher, blob[_FIXED_SIZE : _FIXED_SIZE + sealed_size], aad)
        cipher = suite.cipher(file_key)
        step = chunk_size + TAG_SIZE
        parts = []
        offset = counter = 0
        while True:
            piece = body[offset : offset + step]
            last = offset + step >= len(body)
            if len(piece) < TAG_SIZE:
                raise InvalidTag
            parts.append(cipher.decrypt(_nonce(counter, last), bytes(piece), aad))
            if last:
                break
            offset += step
            counter += 1
    except (InvalidTag, ValueError):
        raise FileDecryptionError(
            "文件校验失败：已被篡改、截断，或不属于该记录。 "
            "(Encrypted file failed authentication: altered, truncated, or moved from another record/purpose.)"
        ) from None
    return b"".join(parts)


# --- Files owned by a row -------------------------------------------------------------------------


def encrypt_for(owner, source, *, purpose):
    """The encrypted bytes of `source` (bytes or a Django File) for `owner` and `purpose`."""
    key = _owner_key(owner)
    return _encrypt(
        source, wrap_cipher=key.data_cipher(), suite=get_suite(key.suite), context=_owner_context(owner, purpose)
    )


def decrypt_for(owner, blob, *, purpose):
    """The plaintext of an encrypted file of `owner`; `DecryptionError` / `SubjectKeyShredded`."""
    key = _owner_key(owner)
    return _decrypt(
        blob, wrap_cipher=key.data_cipher(), suite=get_suite(key.suite), context=_owner_context(owner, purpose)
    )


def encrypted_upload(owner, upload, *, purpose):
    """A `ContentFile` of `upload` encrypted for `owner`, to assign to a FileField and save.

    Its name is ``file.zsf``: the field's ``upload_to`` chooses the stored (random) name; the
    uploader's file name is never kept.
    """
    return ContentFile(encrypt_for(owner, upload, purpose=purpose), name=f"file.{ENCRYPTED_EXTENSION}")


def encrypt_file_for(owner, upload, *, purpose, name, storage=None):
    """Encrypt `upload` for `owner` and save it as `name` in `storage`; return the stored name."""
    storage = storage or default_storage
    return storage.save(name, ContentFile(encrypt_for(owner, upload, purpose=purpose)))


def open_decrypted(owner, name, *, purpose, storage=None):
    """The plaintext bytes of the stored file `name` (a name or a FieldFile) of `owner`.

    Raises `FileNotFoundError`/`OSError` when the file is missing, `SubjectKeyShredded` when the
    owner's key was destroyed and `DecryptionError` when the file was altered or moved.
    """
    if hasattr(name, "open") and hasattr(name, "name"):  # a FieldFile
        storage, name = name.storage, name.name
    storage = storage or default_storage
    with storage.open(name, "rb") as handle:
        blob = handle.read()
    return decrypt_for(owner, blob, purpose=purpose)


# --- Transient files (no owner row): a random key held by the caller, e.g. in the session ----------


def new_transient_key():
    """A fresh random key in the current suite, returned wrapped by the newest master key
    (`privacy.crypto.keyring.wrap_transient`): the session row or batch row that holds it, copied
    with MEDIA_ROOT into a backup, still cannot open the file without the master key."""
    suite = get_keyring().suite
    return wrap_transient(os.urandom(suite.key_size), suite=suite)


def _transient(key, purpose):
    try:
        suite, secret = unwrap_transient(key)
    except DecryptionError:
        raise FileDecryptionError("临时文件密钥无效。 (Invalid transient file key.)") from None
    return suite, suite.cipher(secret), f"zhaoshang.file|transient|{purpose}".encode()


def encrypt_transient(source, *, key, purpose):
    """The encrypted bytes of `source` under a key from `new_transient_key()`."""
    suite, cipher, context = _transient(key, purpose)
    return _encrypt(source, wrap_cipher=cipher, suite=suite, context=context)


def decrypt_transient(blob, *, key, purpose):
    """The plaintext of `encrypt_transient` output; `DecryptionError` if the key or file is wrong."""
    suite, cipher, context = _transient(key, purpose)
    return _decrypt(blob, wrap_cipher=cipher, suite=suite, context=context)


# --- Download ---------------------------------------------------------------------------------------


def attachment_response(data, *, content_type, filename):
    """A download of decrypted `data`: never rendered inline, never cached, never sniffed."""
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
