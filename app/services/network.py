"""Online/offline as the operating system sees it (QNetworkInformation), where a backend exists.

Jobs that cannot reach the server wait and probe it every few seconds on their own (see
runner._wait_for_network); this only makes them try again the moment the OS says the
network is back, and lets the window say "offline". Without a backend (some minimal Linux
systems, the offscreen platform in CI) the watch reports "online" and the probes do the work.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)

_OFFLINE = (QNetworkInformation.Reachability.Disconnected,)


class NetworkWatch(QObject):
    online_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._online = True
        self._info: QNetworkInformation | None = None

    @property
    def online(self) -> bool:
        return self._online

    def start(self) -> bool:
        """Load a reachability backend (GUI thread); False when the system offers none."""
        if self._info is not None:
            return True
        try:
            loaded = QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability
            )
        except Exception:  # a broken plugin must not stop the app
            log.warning("network information backend failed to load", exc_info=True)
            return False
        info = QNetworkInformation.instance() if loaded else None
        if info is None:
            log.info("no network information backend; relying on probes")
            return False
        self._info = info
        info.reachabilityChanged.connect(self.on_reachability_changed)
        self.on_reachability_changed(info.reachability())
        log.info("watching the network through the %s backend", info.backendName())
        return True

    @Slot(QNetworkInformation.Reachability)
    def on_reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        # "Unknown" counts as online: better one failed probe than jobs held back for nothing.
        online = reachability not in _OFFLINE
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)
