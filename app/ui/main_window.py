"""The main window: prompt and parameters on the left, Create/Edit | Result | Gallery in the
middle, the live task list on the right. It lays them out, builds the actions and routes what
one part asks of another; where jobs go is the session's (app.services.session), what start-up
defers is app.startup's, and the parts it is given are built by app.main."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.library import JobState, Library
from app.core.settings import FILE_NAME, Settings
from app.resources import resources_dir
from app.services.background import Background
from app.services.edit_session import EditSession
from app.services.form import FormModel
from app.services.prompt_store import PromptLibrary, form_settings
from app.services.runner import JobRunner
from app.services.session import Session
from app.services.task_model import TaskModel
from app.ui import open_path, quit_question, window_geometry
from app.ui.banner import Banner
from app.ui.edit_panel import EditPanel
from app.ui.gallery import GalleryPanel
from app.ui.menus import GenerateAction, build_menus
from app.ui.prompt_history import PromptTools
from app.ui.prompt_panel import PromptPanel
from app.ui.result_view import ResultView
from app.ui.session_restore import SessionKeeper
from app.ui.settings_dialog import SettingsDialog
from app.ui.task_list import TaskList
from app.ui.window_dialogs import about_box, restore_question
from app.ui.window_status import WindowStatus

log = logging.getLogger(__name__)


def _style_sheet() -> str:
    try:
        return (resources_dir() / "styles" / "app.qss").read_text(encoding="utf-8")
    except OSError:
        log.info("no style sheet; banners use the platform style")
        return ""


def _read_embedded(path: str) -> tuple[str, dict | None]:
    try:
        return path, Library.read_embedded(Path(path))
    except Exception:  # unreadable or not a picture: logged; the editor says why when it tries
        log.info("no settings read from %s", path, exc_info=True)
        return path, None


class MainWindow(QMainWindow):
    closed = Signal()  # after closeEvent stopped every worker and closed the library
    open_action: QAction  # set by app.ui.menus.build_menus
    paste_action: QAction

    def __init__(
        self,
        *,
        settings: Settings,
        data_dir: Path,
        library: Library,
        runner: JobRunner,
        task_model: TaskModel,
        session: Session,
        background: Background,
        form: FormModel | None = None,
        api_override: str | None = None,
        settings_reset: list[str] | None = None,
        prompts: PromptLibrary | None = None,
        edit_session: EditSession | None = None,
    ):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.settings = settings
        self.data_dir = data_dir
        self.library = library
        self.runner = runner
        self.task_model = task_model
        self.session = session
        self.background = background
        self.form = form
        self.prompts = prompts
        self.edit_session = edit_session
        # app.startup.StartUp, set by app.main: the window holds it for its lifetime.
        self.startup: Any = None
        self._closed = False
        self._tray: QSystemTrayIcon | None = None
        self._restore_box: QMessageBox | None = None
        self._quit_box: QMessageBox | None = None
        # Quitting with jobs running asks first (tests that close mid-job turn it off).
        self.confirm_quit = True
        self.settings_dialog: SettingsDialog | None = None
        self.shortcuts_dialog: QWidget | None = None  # the last one opened (tests look at it)

        self._build_ui(api_override)
        self.generate_action: QAction = GenerateAction(self, self.prompt_panel)
        self.prompt_tools: PromptTools | None = None
        if prompts is not None:
            self.prompt_tools = PromptTools(self.prompt_panel, prompts)
            self.prompt_tools.message.connect(self.show_message)
            prompts.failed.connect(self.show_message)
        # The prompt and the edit session come back after a restart.
        self.session_keeper: SessionKeeper | None = None
        if edit_session is not None:
            self.session_keeper = SessionKeeper(
                self.prompt_panel.form, self.edit_panel, edit_session
            )
        build_menus(self)
        self.runner.job_finished.connect(self.on_job_finished)
        self.runner.preview_ready.connect(self.on_preview_ready)
        self._restore_geometry()
        self._show_start_notices(settings_reset or [])

    # ------------------------------------------------------------------ building

    def _build_ui(self, api_override: str | None) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demo_banner = Banner("demoBanner", closable=False, parent=central)
        self.demo_banner.action_clicked.connect(self.on_add_key)
        outer.addWidget(self.demo_banner)
        self.notice_banner = Banner("noticeBanner", parent=central)
        outer.addWidget(self.notice_banner)
        sheet = _style_sheet()
        for banner in (self.demo_banner, self.notice_banner):
            banner.setStyleSheet(sheet)

        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        splitter.setObjectName("mainSplitter")
        self.prompt_panel = PromptPanel(self.settings, splitter, form=self.form)
        if api_override:
            self.prompt_panel.set_flavour(api_override)
        scroll = QScrollArea(splitter)
        scroll.setWidget(self.prompt_panel)
        scroll.setWidgetResizable(True)
        # Vertically only: the panel's rows wrap and its fields shrink to the width it gets,
        # so nothing (Generate least of all) is ever scrolled out sideways.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(250)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter.addWidget(scroll)

        self.tabs = QTabWidget(splitter)
        self.tabs.setObjectName("centreTabs")
        self.tabs.setDocumentMode(True)
        self.edit_panel = self._make_edit_panel()
        self.tabs.addTab(self.edit_panel, self.tr("Create / Edit"))
        self.result_view = ResultView(self.library, self.background, self.tabs)
        self.result_tab = self.tabs.addTab(self.result_view, self.tr("Result"))
        self.gallery = self._make_gallery()
        self.tabs.addTab(self.gallery, self.tr("Gallery"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([320, 900])
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self.task_list = TaskList(self.runner, self.task_model, self)
        self.task_dock = QDockWidget(self.tr("Tasks"), self)
        self.task_dock.setObjectName("taskDock")
        self.task_dock.setWidget(self.task_list)
        self.task_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.task_dock.setMinimumWidth(230)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.task_dock)

        self.status = WindowStatus(
            self,
            session=self.session,
            runner=self.runner,
            task_model=self.task_model,
            demo_banner=self.demo_banner,
        )

        self.prompt_panel.generate_requested.connect(self.on_generate)
        self.prompt_panel.prompt_edit.files_dropped.connect(self.on_prompt_files_dropped)
        self.notice_banner.action_clicked.connect(self.on_show_recovered)
        self.task_list.open_requested.connect(self.on_open_job)
        self.task_list.message.connect(self.show_message)
        self.task_list.settings_requested.connect(self.on_add_key)
        self.result_view.message.connect(self.show_message)
        self.result_view.reuse_requested.connect(self.on_reuse)
        self.result_view.edit_source_requested.connect(self.on_edit_source)
        # Landed results are scaled to the result view on their worker (app.services.job_worker).
        self.result_view.image_view.resized.connect(self.runner.set_preview_fit)

    def _make_edit_panel(self) -> EditPanel:
        panel = EditPanel(self, background=self.background)
        s = self.settings
        panel.set_feather(s.feather)
        panel.set_keep_unmasked(s.keep_unmasked)
        panel.set_brush_size(s.brush_size)
        # The slider drives the canvas: set it, not the canvas behind its back.
        panel.opacity_slider.setValue(round(float(s.overlay_opacity) * 100))
        colour = QColor(s.mask_colour)
        if colour.isValid():
            panel.canvas.set_overlay_color(colour)
        panel.sources_changed.connect(self.on_sources_changed)
        panel.message.connect(self.show_message)
        # The panel offers to restore the settings a dropped file carries, and says when accepted.
        panel.reuse_requested.connect(self.on_reuse)
        panel.feather_changed.connect(self.on_feather_changed)
        panel.keep_unmasked_changed.connect(self.on_keep_unmasked_changed)
        panel.brush_size_changed.connect(self.on_brush_size_changed)
        return panel

    def _make_gallery(self) -> GalleryPanel:
        gallery = GalleryPanel(self.library, self)
        gallery.edit_requested.connect(self.on_gallery_edit)
        gallery.reuse_requested.connect(self.on_reuse)
        gallery.message.connect(self.show_message)
        return gallery

    def _restore_geometry(self) -> None:
        window_geometry.place(self, self.settings.window_geometry)
        if self.settings.window_state:
            self.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))

    def _show_start_notices(self, settings_reset: list[str]) -> None:
        notices = []
        if settings_reset:
            notices.append(
                self.tr(
                    "Some settings could not be read and were reset to their defaults: {0}."
                ).format(", ".join(settings_reset))
            )
        recovered = self.library.recovered_from
        if recovered is not None:
            # The journal lived in the damaged file: say what that costs and where it went.
            log.warning("the library index was damaged; rebuilt, the old one kept at %s", recovered)
            notices.append(
                self.tr(
                    "The library index was damaged and has been rebuilt from your pictures. "
                    "Jobs left unfinished before could not be resumed. "
                    "The damaged file was kept as {0}."
                ).format(recovered)
            )
        if notices:
            self.notice_banner.show_message(
                " ".join(notices),
                self.tr("Show the damaged file") if recovered is not None else None,
            )

    def warm_up(self) -> None:
        """Once start-up has settled (app.startup): what the first Generate and the first task
        row would otherwise pay on the GUI thread, in the same frame as the click: the budget
        question's module (13-28 ms measured) and the row painter's style enums and glyph
        fallback fonts (10-20 ms), and the accessibility type the first row change asks."""
        import app.ui.spend  # noqa: F401

        self.task_list.delegate.warm_up(self.task_list.view.font())
        self.task_list.view.warm_up()

    # ------------------------------------------------------------------ jobs

    @Slot()
    def on_generate(self) -> None:
        problems = self.prompt_panel.problems()
        if problems:
            self.show_message(problems[0])
            return
        request = self.prompt_panel.request()
        snapshot = None
        feather = self.settings.feather
        keep = self.settings.keep_unmasked
        if self.edit_panel.has_sources():
            snapshot = self.edit_panel.snapshot()
            if snapshot is not None:
                feather, keep = snapshot.feather, snapshot.keep_unmasked
        if not self._budget_ok(request):
            return
        flavour = self.prompt_panel.flavour()
        copies = self.prompt_panel.copies()
        for _ in range(copies):
            self.runner.submit(
                request, flavour, snapshot=snapshot, keep_unmasked=keep, feather=feather
            )
        self.prompt_panel.remember_used_size()
        if self.prompts is not None:
            form = self.prompt_panel.form
            self.prompts.record(form.prompt.strip(), form_settings(form))
        self.show_message(self.tr("Started %n job(s)", "", copies))

    def _budget_ok(self, request: Any) -> bool:
        """Ask before a job that may take this month past the user's budget (never in demo)."""
        if self.session.is_demo():
            return True
        # app.ui.spend is imported when first used: 13-28 ms start-up does not pay (the
        # warm-up imports it once the window has settled).
        from app.ui.spend import confirm_budget

        try:
            # A few small SQLite reads: cheap enough for a click.
            return confirm_budget(self, self.library, request.size, request.quality)
        except Exception:
            log.exception("budget check failed")
            return True

    @Slot(str)
    def on_job_finished(self, key: str) -> None:
        record = self.runner.record(key)
        if record is None:
            return
        if record.state == JobState.completed or record.late_result:
            # One indexed lookup per item: the row appears in place, selection and scroll kept.
            for item_id in record.item_ids:
                self.gallery.item_added(item_id)
            self._show_result(
                record,
                switch=self.tabs.currentWidget() is not self.gallery
                and not (
                    self.edit_panel.has_sources() and self.tabs.currentWidget() is self.edit_panel
                ),
            )
            text = self.tr("Finished: {0}").format(record.prompt[:60])
        elif record.state == JobState.failed:
            text = self.tr("Failed: {0}").format(record.prompt[:60])
        else:
            return
        self.show_message(text)
        if not self.isActiveWindow() and self.settings.notifications:
            self._notify(text)

    @Slot(str, bytes)
    def on_preview_ready(self, key: str, data: bytes) -> None:
        """A running job's streamed preview goes to the result view when that view shows the
        job, the job is the one selected, or the view shows nothing yet (never a tab switch)."""
        record = self.runner.record(key)
        shown = self.result_view.record()
        selected = self.task_list.selected_records()
        if record is None or not (
            shown is None or shown.key == key or (len(selected) == 1 and selected[0].key == key)
        ):
            return
        if shown is None or shown.key != key:
            self.result_view.show_record(record)
        self.result_view.show_preview(data)

    def _show_result(self, record: Any, *, switch: bool) -> None:
        self.result_view.show_record(record)
        if switch:
            self.tabs.setCurrentWidget(self.result_view)

    def _notify(self, text: str) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self.windowIcon(), self)
                self._tray.setToolTip(APP_NAME)
                self._tray.show()
            self._tray.showMessage(APP_NAME, text, QSystemTrayIcon.MessageIcon.Information, 5000)
        else:
            QApplication.alert(self)

    @Slot(str)
    def on_open_job(self, key: str) -> None:
        record = self.runner.record(key)
        if record is not None:
            self._show_result(record, switch=True)

    @Slot(dict)
    def on_reuse(self, params: dict) -> None:
        self.prompt_panel.apply_params(params)
        self.prompt_panel.prompt_edit.setFocus()
        self.show_message(self.tr("Settings restored: change the prompt or press Generate"))

    @Slot(str)
    def on_edit_source(self, path: str) -> None:
        """A result becomes the picture to edit (the first source, the one the mask applies to)."""
        self.edit_panel.use_as_source(path=path)
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot(list)
    def on_prompt_files_dropped(self, paths: list) -> None:
        """One picture the app made, dropped on the prompt: offer its prompt and settings.
        Anything else goes to the editor, as a drop anywhere else on the window does."""
        if len(paths) == 1:
            self.background.submit(_read_embedded, paths[0], on_done=self.on_prompt_file_read)
        else:
            self._edit_files(paths)

    @Slot(object)
    def on_prompt_file_read(self, read: Any) -> None:
        path, params = read
        if not params:
            self._edit_files([path])
            return
        if self._restore_box is not None:
            self._restore_box.close()
        self._restore_box = restore_question(self, path, params, lambda: self.on_reuse(params))
        self._restore_box.finished.connect(self.on_restore_box_closed)

    @Slot(int)
    def on_restore_box_closed(self, _result: int) -> None:
        self._restore_box = None

    def _edit_files(self, paths: list[str]) -> None:
        self.edit_panel.add_files(paths)
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_show_recovered(self) -> None:
        recovered = self.library.recovered_from
        if recovered is not None:
            open_path.reveal(self, recovered)

    @Slot(int)
    def on_gallery_edit(self, item_id: int) -> None:
        lib = self.library
        self.background.submit(
            lambda: str(lib.item(item_id).path),
            on_done=self.on_gallery_path,
            on_error=lambda e: self.show_message(
                self.tr("Could not find the picture: {0}").format(e)
            ),
        )

    @Slot(str)
    def on_gallery_path(self, path: str) -> None:
        """Over work already in the editor the panel asks first (app.ui.edit_replace)."""
        self.edit_panel.edit_from_gallery(path)
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_sources_changed(self) -> None:
        self.prompt_panel.set_editing(self.edit_panel.has_sources())
        # An edit's output size follows the first picture's shape (never stretched back).
        first = self.edit_panel.model.first()
        w, h = first.prepared.size if first is not None else (None, None)
        self.prompt_panel.form.follow_source(w, h)

    @Slot(int)
    def on_feather_changed(self, pixels: int) -> None:
        self.settings.feather = max(0, min(256, int(pixels)))

    @Slot(bool)
    def on_keep_unmasked_changed(self, keep: bool) -> None:
        self.settings.keep_unmasked = bool(keep)

    @Slot(int)
    def on_brush_size_changed(self, pixels: int) -> None:
        self.settings.brush_size = max(1, min(1000, int(pixels)))

    # ------------------------------------------------------------------ menus

    @Slot()
    def on_open_image(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open pictures to edit"),
            str(Path.home()),
            self.tr("Pictures (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)"),
        )
        if paths:
            self.edit_panel.add_files(paths)
            self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_paste_image(self) -> None:
        self.edit_panel.paste()
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_undo(self) -> None:
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, "undo"):
            widget.undo()

    @Slot()
    def on_redo(self) -> None:
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, "redo"):
            widget.redo()

    @Slot()
    def on_settings(self) -> None:
        self.open_settings()

    @Slot()
    def on_add_key(self) -> None:
        self.open_settings().key_edit.setFocus()

    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(
                self.settings,
                self.session,
                self.background,
                images_dir=self.library.images_dir,
                parent=self,
            )
            self.settings_dialog.applied.connect(self.apply_settings)
            self.settings_dialog.finished.connect(self.on_settings_closed)
        self.settings_dialog.open()
        return self.settings_dialog

    @Slot(int)
    def on_settings_closed(self, _result: int) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
            self.settings_dialog = None

    @Slot()
    def on_spend(self) -> None:
        from app.ui.spend import SpendDialog  # see _budget_ok

        dialog = SpendDialog(self.library, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def on_open_data_folder(self) -> None:
        open_path.open_folder(self, self.data_dir)

    @Slot()
    def on_open_logs(self) -> None:
        open_path.open_folder(self, self.data_dir / "logs")

    @Slot()
    def on_shortcuts(self) -> None:
        from app.ui.shortcuts import ShortcutsDialog, collect, held_keys

        areas = [
            (self.prompt_panel, self.tr("Prompt")),
            (self.edit_panel, self.tr("Create / Edit")),
            (self.result_view, self.tr("Result")),
            (self.gallery, self.tr("Gallery")),
            (self.task_list, self.tr("Tasks")),
        ]
        dialog = ShortcutsDialog(collect(self, areas) + held_keys(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.shortcuts_dialog = dialog

    @Slot()
    def on_about(self) -> None:
        about_box(self, self.data_dir, self.windowIcon())

    # ------------------------------------------------------------------ settings

    @Slot()
    def apply_settings(self) -> None:
        """The settings dialog changed the settings: apply what runs now, and save them."""
        s = self.settings
        self.runner.set_concurrency(s.concurrency)
        if s.images_dir:
            self.background.submit(self.library.set_images_dir, Path(s.images_dir))
        self.edit_panel.set_feather(s.feather)
        self.edit_panel.set_keep_unmasked(s.keep_unmasked)
        self.status.on_endpoint_changed()
        self.save_settings()

    def save_settings(self) -> None:
        try:
            self.settings.save(self.data_dir / FILE_NAME)
        except OSError as exc:
            self.show_message(self.tr("Could not save the settings: {0}").format(exc))

    # ------------------------------------------------------------------ misc

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _ask_before_quitting(self) -> bool:
        """True when a question about running jobs is now open (the close waits for it)."""
        lost, resume = quit_question.running_counts(self.runner.records())
        if not (lost or resume):
            return False
        if self._quit_box is None or not self._quit_box.isVisible():
            self._quit_box = quit_question.ask(self, lost, resume, self.on_quit_anyway)
        return True

    def on_quit_anyway(self) -> None:
        self.confirm_quit = False
        self.close()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        # Pictures dropped anywhere on the window go to the editor.
        if self.edit_panel.accepts_mime(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self.edit_panel.take_mime(event.mimeData()):
            self.tabs.setCurrentWidget(self.edit_panel)
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._closed:
            event.accept()
            return
        if self.confirm_quit and self._ask_before_quitting():
            event.ignore()
            return
        self._closed = True
        self.settings.overlay_opacity = self.edit_panel.canvas.overlay_opacity() / 100
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings.window_state = bytes(self.saveState().toBase64().data()).decode()
        self.save_settings()
        if self.prompts is not None:
            self.prompts.flush()
        if self.edit_session is not None:
            self.edit_session.flush()
        # Everything that works in the background is drained, the jobs first (their results
        # land in the library), then the short calls, the demo server and the gallery's work.
        self.runner.shutdown()
        self.session.shutdown()
        self.background.shutdown()
        self.gallery.shutdown()
        self.edit_panel.shutdown()
        if self._tray is not None:
            self._tray.hide()
        self.library.close()
        log.info("closed cleanly")
        self.closed.emit()
        event.accept()
