"""The API key: MOUNTSEA_API_KEY when set, else the OS keyring, else a key kept for this session only.

The key is never written anywhere else and never logged. Keyring calls may block (a locked
keychain prompts the user), so the GUI calls these from a worker thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from enum import StrEnum

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring.errors import PasswordDeleteError

SERVICE = "Mountsea Image Studio"
USERNAME = "api-key"
ENV_VAR = "MOUNTSEA_API_KEY"

log = logging.getLogger(__name__)


class KeySource(StrEnum):
    env = "env"
    keyring = "keyring"
    session = "session"
    none = "none"


class KeyStoreUnavailable(RuntimeError):
    """The OS offers no usable keyring (or it refused the write); the key can be kept for this session only."""


def _null_backend(backend: KeyringBackend) -> bool:
    try:
        from keyring.backends import null
    except ImportError:  # pragma: no cover - keyring always ships it
        return False
    return isinstance(backend, null.Keyring)


def backend_usable(backend: KeyringBackend) -> bool:
    """False for keyring's fail/null backends and for a chainer with nothing real to chain."""
    if isinstance(backend, fail.Keyring) or _null_backend(backend):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(backend_usable(b) for b in backend.backends)
    return True


class KeyStore:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if env is None else env
        self._session_key: str | None = None

    def __repr__(self) -> str:
        return f"KeyStore(backend={self.backend_name()!r})"

    def get(self) -> tuple[str | None, KeySource]:
        env_key = (self._env.get(ENV_VAR) or "").strip()
        if env_key:
            return env_key, KeySource.env
        if self._session_key:
            return self._session_key, KeySource.session
        if self.backend_available():
            try:
                stored = keyring.get_password(SERVICE, USERNAME)
            except Exception as exc:  # noqa: BLE001 - backends raise their own types (dbus, locked keychain...)
                log.warning("could not read the API key from the keyring: %s", type(exc).__name__)
                stored = None
            if stored and stored.strip():
                return stored.strip(), KeySource.keyring
        return None, KeySource.none

    def save(self, key: str) -> None:
        key = key.strip()
        if not key:
            raise ValueError("the API key is empty")
        if not self.backend_available():
            raise KeyStoreUnavailable(
                "This system has no keyring to store the API key in. "
                "Use it for this session only, or set MOUNTSEA_API_KEY."
            )
        try:
            keyring.set_password(SERVICE, USERNAME, key)
        except Exception as exc:  # noqa: BLE001 - backends raise their own types (dbus, locked keychain...)
            log.warning("the keyring refused to store the API key: %s", type(exc).__name__)
            raise KeyStoreUnavailable(
                f"The system keyring refused to store the API key ({type(exc).__name__}). "
                "Unlock it and try again, or use the key for this session only."
            ) from None
        self._session_key = None
        log.info("API key saved in the keyring (%s)", self.backend_name())

    def delete(self) -> None:
        self._session_key = None
        if not self.backend_available():
            return
        try:
            keyring.delete_password(SERVICE, USERNAME)
        except PasswordDeleteError:
            pass  # nothing stored: already the wanted state
        except Exception as exc:  # noqa: BLE001 - backends raise their own types, as above
            raise KeyStoreUnavailable(
                f"The system keyring refused to forget the API key ({type(exc).__name__})."
            ) from None

    def set_session_key(self, key: str | None) -> None:
        """Keep a key in memory only, for this run of the program."""
        self._session_key = (key or "").strip() or None

    def backend_available(self) -> bool:
        try:
            return backend_usable(keyring.get_keyring())
        except Exception:  # a broken keyring configuration must not stop the app
            log.warning("the keyring backend could not be loaded", exc_info=True)
            return False

    def backend_name(self) -> str:
        try:
            backend = keyring.get_keyring()
        except Exception:  # noqa: BLE001 - a broken keyring configuration has no name to show
            return "none"
        if isinstance(backend, chainer.ChainerBackend):
            names = [
                getattr(b, "name", type(b).__name__) for b in backend.backends if backend_usable(b)
            ]
            return ", ".join(names) if names else "none"
        if not backend_usable(backend):
            return "none"
        return str(getattr(backend, "name", type(backend).__name__))
