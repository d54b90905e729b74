"""Key configuration: parsing, loud errors naming key ids, createkeys, and reloading on change."""

import base64
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from privacy.crypto.errors import DecryptionError
from privacy.crypto.keyring import Keyring, get_keyring

from .crypto_helpers import b64key, master_entry


def _ring(field_keys, blind_key=None, suite="aes"):
    return Keyring(field_keys=field_keys, blind_key=blind_key or b64key(), suite=suite)


def test_master_keys_are_parsed_newest_first():
    ring = _ring(f"{master_entry('k2')}, {master_entry('k1')}")
    assert [key.key_id for key in ring.master_keys] == ["k2", "k1"]
    assert ring.newest.key_id == "k2"
    assert ring.master_key("k1").key_id == "k1"
    assert "k1" in repr(ring.master_key("k1"))


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("", "FIELD_ENCRYPTION_KEYS"),
        ("no-colon-here", "第 1 项"),
        (f"bad id!:{b64key()}", "第 1 项"),
        (f"k1:{b64key()},k1:{b64key()}", "k1"),
        ("k7:not*base64", "k7"),
        (f"k9:{b64key(16)}", "k9"),
    ],
    ids=["empty", "no-colon", "bad-id", "duplicate", "bad-base64", "short"],
)
def test_malformed_master_keys_fail_loudly_naming_the_key(value, named):
    with pytest.raises(ImproperlyConfigured) as error:
        _ring(value)
    message = str(error.value)
    assert named in message
    assert "createkeys" in message


@pytest.mark.parametrize("blind_key", ["", "%%%", base64.b64encode(b"short").decode()])
def test_malformed_blind_index_key_fails_loudly(blind_key):
    with pytest.raises(ImproperlyConfigured, match=r"BLIND_INDEX_KEY.*createkeys"):
        Keyring(field_keys=master_entry("k1"), blind_key=blind_key, suite="aes")


def test_error_messages_never_contain_key_material():
    secret = b64key(16)
    with pytest.raises(ImproperlyConfigured) as error:
        _ring(f"k1:{secret}")
    assert secret not in str(error.value)


def test_unknown_master_key_id_names_it_and_the_loaded_ones():
    ring = _ring(master_entry("k2"))
    with pytest.raises(DecryptionError, match=r"k1.*k2"):
        ring.master_key("k1")


def test_keyring_is_rebuilt_when_settings_change(settings):
    before = get_keyring()
    assert get_keyring() is before
    settings.FIELD_ENCRYPTION_KEYS = master_entry("fresh")
    assert get_keyring() is not before
    assert get_keyring().newest.key_id == "fresh"


def test_createkeys_prints_a_working_configuration():
    out = io.StringIO()
    call_command("createkeys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(lines) == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}
    assert len(lines["SECRET_KEY"]) >= 50
    ring = Keyring(field_keys=lines["FIELD_ENCRYPTION_KEYS"], blind_key=lines["BLIND_INDEX_KEY"], suite="sm4")
    assert ring.newest.key_id.startswith("k20")
    second = io.StringIO()
    call_command("createkeys", stdout=second)
    assert set(second.getvalue().splitlines()).isdisjoint(out.getvalue().splitlines())


def test_createkeys_adds_a_master_key_in_front_of_the_configured_ones(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{master_entry('old2')},{master_entry('old1')}"
    out = io.StringIO()
    call_command("createkeys", "--add-master-key", "--key-id", "new", stdout=out)
    name, value = out.getvalue().strip().split("=", 1)
    assert name == "FIELD_ENCRYPTION_KEYS"
    assert [key.key_id for key in _ring(value).master_keys] == ["new", "old2", "old1"]
    with pytest.raises(CommandError, match="old1"):
        call_command("createkeys", "--add-master-key", "--key-id", "old1", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("createkeys", "--key-id", "white space", stdout=io.StringIO())
