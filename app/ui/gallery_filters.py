"""The row above the gallery grid: the search box, the filters, the order, the count."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QTimer, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSizePolicy, QWidget

from app.services.gallery_model import Query
from app.ui.flow import FlowLayout

SEARCH_DEBOUNCE_MS = 200
DAY = 86400.0


class GalleryFilters(QWidget):
    """Emits `changed` once per change a search should follow (typing: once it pauses).

    Its strings keep the "GalleryPanel" context they were translated under.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("gallerySearch")
        self.search.setPlaceholderText(
            QCoreApplication.translate("GalleryPanel", "Search prompts…")
        )
        self.search.setClearButtonEnabled(True)
        self.favourites_check = QCheckBox(QCoreApplication.translate("GalleryPanel", "Favourites"))
        self.favourites_check.setObjectName("galleryFavourites")
        self.collection_combo = QComboBox()
        self.collection_combo.setObjectName("galleryCollection")
        self.date_combo = QComboBox()
        self.date_combo.setObjectName("galleryDate")
        for label, days in (
            (QCoreApplication.translate("GalleryPanel", "Any time"), None),
            (QCoreApplication.translate("GalleryPanel", "Today"), 0),
            (QCoreApplication.translate("GalleryPanel", "Last 7 days"), 7),
            (QCoreApplication.translate("GalleryPanel", "Last 30 days"), 30),
            (QCoreApplication.translate("GalleryPanel", "Last 12 months"), 365),
        ):
            self.date_combo.addItem(label, days)
        self.edits_check = QCheckBox(QCoreApplication.translate("GalleryPanel", "Edits only"))
        self.edits_check.setObjectName("galleryEditsOnly")
        self.demo_combo = QComboBox()
        self.demo_combo.setObjectName("galleryDemo")
        for label, value in (
            (QCoreApplication.translate("GalleryPanel", "Real and demo"), "include"),
            (QCoreApplication.translate("GalleryPanel", "Real only"), "exclude"),
            (QCoreApplication.translate("GalleryPanel", "Demo only"), "only"),
        ):
            self.demo_combo.addItem(label, value)
        self.demo_combo.setToolTip(
            QCoreApplication.translate(
                "GalleryPanel", "Demo pictures come from the built-in simulator and cost nothing"
            )
        )
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("gallerySort")
        self.sort_combo.addItem(
            QCoreApplication.translate("GalleryPanel", "Newest first"), "newest"
        )
        self.sort_combo.addItem(
            QCoreApplication.translate("GalleryPanel", "Oldest first"), "oldest"
        )
        self.sort_combo.addItem(
            QCoreApplication.translate("GalleryPanel", "Best match"), "relevance"
        )
        self.count_label = QLabel()
        self.count_label.setObjectName("galleryCount")

        # The filters wrap onto a second line on a narrow window instead of squeezing each
        # one until it reads "S…" or "Favour".
        self.search.setMinimumWidth(180)
        row = FlowLayout(self, spacing=6)
        row.addWidget(self.search)
        for w in (
            self.favourites_check,
            self.collection_combo,
            self.date_combo,
            self.edits_check,
            self.demo_combo,
            self.sort_combo,
            self.count_label,
        ):
            row.addWidget(w)

        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self.debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(self.debounce.start)
        self.search.returnPressed.connect(self.on_return_pressed)
        self.favourites_check.toggled.connect(self.changed)
        self.edits_check.toggled.connect(self.changed)
        self.collection_combo.activated.connect(self.changed)
        self.date_combo.currentIndexChanged.connect(self.changed)
        self.demo_combo.currentIndexChanged.connect(self.changed)
        self.sort_combo.currentIndexChanged.connect(self.changed)
        self.set_collections([])

    @Slot()
    def on_return_pressed(self) -> None:
        self.debounce.stop()
        self.changed.emit()

    def query(self) -> Query:
        days = self.date_combo.currentData()
        since = None
        if days is not None:
            midnight = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            since = midnight - days * DAY
        return Query(
            text=self.search.text(),
            favourites=self.favourites_check.isChecked(),
            collection=self.collection_combo.currentData(),
            edits_only=self.edits_check.isChecked(),
            since=since,
            order=self.sort_combo.currentData() or "newest",
            demo=self.demo_combo.currentData() or "include",
        )

    def set_collections(self, names: list[str]) -> None:
        """Offer these collections, keeping the chosen one if it is still there (no signal)."""
        current = self.collection_combo.currentData()
        self.collection_combo.blockSignals(True)
        self.collection_combo.clear()
        self.collection_combo.addItem(
            QCoreApplication.translate("GalleryPanel", "All collections"), None
        )
        for name in names:
            self.collection_combo.addItem(name, name)
        idx = self.collection_combo.findData(current) if current is not None else 0
        self.collection_combo.setCurrentIndex(max(0, idx))
        self.collection_combo.blockSignals(False)

    def clear(self) -> None:
        """Back to everything (the order stays), without a signal: the caller searches once."""
        controls = (
            self.search,
            self.favourites_check,
            self.edits_check,
            self.collection_combo,
            self.date_combo,
            self.demo_combo,
            self.sort_combo,
        )
        for w in controls:
            w.blockSignals(True)
        self.search.clear()
        self.favourites_check.setChecked(False)
        self.edits_check.setChecked(False)
        self.collection_combo.setCurrentIndex(0)
        self.date_combo.setCurrentIndex(0)
        self.demo_combo.setCurrentIndex(0)
        for w in controls:
            w.blockSignals(False)
