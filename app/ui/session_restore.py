"""Between the window and app.services.edit_session: what to keep (the prompt, the edit
panel's pictures and painted mask) and putting it back at start.

The pictures go back through the edit panel's own loading, in order; the mask is laid on the
first one as soon as the canvas shows it at the mask's size. Until everything is back the
session is not written over (a window closed meanwhile keeps the old session whole). What the
user did before the session was read wins: a prompt already typed or pictures already added
are not replaced.
"""

from __future__ import annotations

import logging
import weakref

from PySide6.QtCore import QObject, QTimer, Slot

from app.core.mask import MaskModel
from app.services.edit_session import EditSession, Picture, SessionState
from app.services.form import FormModel
from app.ui.edit_panel import EditPanel

log = logging.getLogger(__name__)


class SessionKeeper(QObject):
    def __init__(self, form: FormModel, panel: EditPanel, session: EditSession) -> None:
        super().__init__(panel)
        self.form = form
        self.panel = panel
        self.session = session
        self._mask: tuple[bytes, tuple[int, int]] | None = None
        self._restoring = False
        self._bar_was_shown = False
        # The mask's bytes as last captured, by (model, revision): an unchanged mask is handed
        # on as the same bytes, which the writer knows (no copy, no hashing, no writing).
        self._mask_seen: tuple[weakref.ref[MaskModel], int, bytes] | None = None
        form.prompt_changed.connect(session.changed)
        form.changed.connect(session.changed)
        panel.sources_changed.connect(session.changed)
        panel.mask_changed.connect(session.changed)
        panel.sources_changed.connect(self.on_panel_changed)
        panel.mask_changed.connect(self.on_panel_changed)
        panel.message.connect(self.on_panel_changed)  # a picture that failed to load
        session.restored.connect(self.on_restored)
        session.start(self.capture)

    def capture(self) -> SessionState:
        sources = self.panel.sources()
        state = SessionState(
            prompt=self.form.prompt,
            pictures=[
                Picture(s.prepared.data, s.prepared.format, s.prepared.filename) for s in sources
            ],
        )
        model = self.panel.canvas.model
        if (
            sources
            and model is not None
            and not model.is_empty
            and model.size == sources[0].prepared.size
        ):
            seen = self._mask_seen
            if seen is None or seen[0]() is not model or seen[1] != model.revision:
                seen = self._mask_seen = (weakref.ref(model), model.revision, model.tobytes())
            state.mask, state.mask_size = seen[2], model.size
        return state

    @Slot(object)
    def on_restored(self, state: SessionState) -> None:
        if state.prompt and not self.form.prompt:
            self.form.prompt = state.prompt
        if not state.pictures or self.panel.has_sources():
            self.session.release()
            return
        log.info("putting back the last session: %d picture(s)", len(state.pictures))
        self._restoring = True
        self._bar_was_shown = self.panel.restore_bar.isVisible()
        if state.mask is not None and state.mask_size is not None:
            self._mask = (state.mask, state.mask_size)
        for picture in state.pictures:
            self.panel.add_image_bytes(picture.data, picture.name)

    @Slot()
    def on_panel_changed(self) -> None:
        if not self._restoring:
            return
        canvas = self.panel.canvas
        if self._mask is not None and canvas.model is not None:
            mask, size = self._mask
            self._mask = None
            if canvas.model.size == size:
                from PIL import Image

                canvas.load_mask_image(Image.frombytes("L", size, mask))
            else:
                log.warning(
                    "the last session's mask is %s, its picture %s: left out",
                    size,
                    canvas.model.size,
                )
        if not self.panel.model.loading():
            self._restoring = False
            self._mask = None
            # The panel offers a picture's settings just after this signal: finish after it.
            QTimer.singleShot(0, self._finish)

    @Slot()
    def _finish(self) -> None:
        # Pictures this app made offer their settings when they come in; coming back from
        # the last session, they were offered then.
        if not self._bar_was_shown:
            self.panel.restore_bar.hide()
        self.session.release()
