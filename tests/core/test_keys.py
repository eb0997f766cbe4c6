from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import chainer, fail

from app.core.keys import SERVICE, USERNAME, KeySource, KeyStore, KeyStoreUnavailable


def test_nothing_stored_means_no_key():
    assert KeyStore(env={}).get() == (None, KeySource.none)


def test_save_get_delete_round_trip(memory_keyring, caplog):
    store = KeyStore(env={})
    with caplog.at_level(logging.DEBUG):
        store.save("  sk-saved-key-123  ")
    assert memory_keyring.passwords[(SERVICE, USERNAME)] == "sk-saved-key-123"
    assert store.get() == ("sk-saved-key-123", KeySource.keyring)
    assert "sk-saved-key-123" not in caplog.text
    store.delete()
    assert store.get() == (None, KeySource.none)
    store.delete()  # deleting twice is fine


def test_environment_variable_wins(memory_keyring):
    memory_keyring.set_password(SERVICE, USERNAME, "sk-from-keyring")
    store = KeyStore(env={"MOUNTSEA_API_KEY": "sk-from-env"})
    store.set_session_key("sk-from-session")
    assert store.get() == ("sk-from-env", KeySource.env)
    assert KeyStore(env={"MOUNTSEA_API_KEY": "  "}).get() == ("sk-from-keyring", KeySource.keyring)


def test_default_env_is_the_process_environment(monkeypatch):
    monkeypatch.setenv("MOUNTSEA_API_KEY", "sk-process-env")
    assert KeyStore().get() == ("sk-process-env", KeySource.env)


def test_session_key_is_memory_only(memory_keyring):
    store = KeyStore(env={})
    store.set_session_key("sk-session")
    assert store.get() == ("sk-session", KeySource.session)
    assert memory_keyring.passwords == {}
    assert KeyStore(env={}).get() == (
        None,
        KeySource.none,
    )  # another store (next run) does not see it


def test_empty_key_is_not_saved():
    with pytest.raises(ValueError):
        KeyStore(env={}).save("   ")


@pytest.mark.parametrize(
    "backend", [fail.Keyring(), chainer.ChainerBackend()], ids=["fail", "empty-chainer"]
)
def test_no_os_keyring_falls_back_to_the_session(backend, monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [], raising=False)
    keyring.set_keyring(backend)
    store = KeyStore(env={})
    assert store.backend_available() is False
    assert store.backend_name() == "none"
    assert store.get() == (None, KeySource.none)
    with pytest.raises(KeyStoreUnavailable) as info:
        store.save("sk-nowhere")
    assert "this session only" in str(info.value)
    store.set_session_key("sk-nowhere")
    assert store.get() == ("sk-nowhere", KeySource.session)
    store.delete()
    assert store.get() == (None, KeySource.none)


def test_backend_name_names_the_real_backend(memory_keyring):
    store = KeyStore(env={})
    assert store.backend_available() is True
    assert store.backend_name() == type(memory_keyring).name


def test_repr_never_shows_the_key():
    store = KeyStore(env={"MOUNTSEA_API_KEY": "sk-visible?"})
    assert "sk-visible" not in repr(store)


def test_a_keyring_that_fails_is_reported_not_crashed(memory_keyring, monkeypatch):
    from keyring.errors import KeyringLocked

    def locked(*_args):
        raise KeyringLocked("the keychain is locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    monkeypatch.setattr(memory_keyring, "get_password", locked)
    store = KeyStore(env={})
    with pytest.raises(KeyStoreUnavailable) as info:
        store.save("sk-whatever")
    assert "KeyringLocked" in str(info.value) and "sk-whatever" not in str(info.value)
    assert store.get() == (None, KeySource.none)
