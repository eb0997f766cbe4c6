"""The composition root: command line, smoke test, logging that never shows a key, settings file."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.redact import add_secret
from app.core.settings import SETTINGS, Settings
from app.main import main, parse_args, setup_logging

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MOUNTSEA_API_KEY", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Never read the developer's real keyring from a test.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def test_smoke_test_exits_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--smoke-test", "--data-dir", str(data)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert (data / "library.sqlite3").exists()
    assert "closed cleanly" in (data / "logs" / "app.log").read_text()


def test_smoke_test_fails_loudly_when_it_cannot_start(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--smoke-test", "--data-dir", str(blocker)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(["--api", "soap"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_generate_and_edit_go_to_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.cli

    seen: list[list[str]] = []
    monkeypatch.setattr(app.cli, "main", lambda argv: seen.append(list(argv)) or 7)
    assert main(["generate", "a cat", "--demo"]) == 7
    assert main(["edit", "a hat", "--image", "x.png"]) == 7
    assert seen == [["generate", "a cat", "--demo"], ["edit", "a hat", "--image", "x.png"]]


def test_options_are_parsed(tmp_path: Path) -> None:
    opts = parse_args(
        ["--data-dir", str(tmp_path), "--demo", "--base-url", "http://x", "--api", "compat"]
    )
    assert (
        opts.data_dir == tmp_path.resolve()
        and opts.demo
        and opts.base_url == "http://x"
        and opts.api == "compat"
    )


@pytest.mark.expect_log_error
def test_the_log_never_holds_a_key(tmp_path: Path) -> None:
    setup_logging(tmp_path)
    add_secret("plainsecretvalue123")
    log = logging.getLogger("app.test")
    log.warning(
        "key %s and header Authorization: Bearer %s", "sk-abcdef0123456789", "tok_987654321"
    )
    log.warning("a known key: plainsecretvalue123")
    try:
        raise ValueError("boom sk-zzzzzzzzzzzzzz")
    except ValueError:
        log.exception("failure")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / "logs" / "app.log").read_text()
    assert "sk-abcdef0123456789" not in text and "tok_987654321" not in text
    assert "plainsecretvalue123" not in text and "sk-zzzzzzzzzzzzzz" not in text
    assert text.count("[redacted]") >= 4


def test_settings_round_trip_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings, reset = Settings.load(path)
    assert reset == [] and settings.concurrency == 4 and settings.api_flavour == "async"
    settings.quality = "high"
    settings.remember_custom_size("2048x1152")
    settings.save()
    again, reset = Settings.load(path)
    assert reset == [] and again.quality == "high" and again.custom_sizes == ["2048x1152"]
    assert {s.name for s in SETTINGS} == set(json.loads(path.read_text())) - {"_version"}
    assert not list(tmp_path.glob(".settings-*"))  # no temp file left behind


def test_settings_load_tolerates_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    settings, reset = Settings.load(path)
    assert reset and settings.concurrency == 4
    path.write_text(
        json.dumps(
            {
                "concurrency": "many",
                "quality": "ultra",
                "feather": True,
                "old_setting": 1,
                "model": "m2",
            }
        )
    )
    settings, reset = Settings.load(path)
    assert sorted(reset) == ["concurrency", "feather", "quality"]
    assert settings.concurrency == 4 and settings.model == "m2"


def test_settings_refuse_wrong_values() -> None:
    settings = Settings()
    with pytest.raises(ValueError):
        settings.concurrency = 0
    with pytest.raises(AttributeError):
        settings.api_key = "never here"  # type: ignore[attr-defined]


def test_the_chinese_translation_loads(qapp) -> None:
    from PySide6.QtCore import QCoreApplication

    from app.main import install_translators

    try:
        assert install_translators(qapp, "zh_CN") == "zh_CN"
        assert QCoreApplication.translate("MainWindow", "Tasks") == "任务"
        assert QCoreApplication.translate("JobRunner", "waiting for the network") == "等待网络"
    finally:
        for translator in getattr(qapp, "_mountsea_translators", []):
            qapp.removeTranslator(translator)
        qapp._mountsea_translators = []
    assert QCoreApplication.translate("MainWindow", "Tasks") == "Tasks"


@pytest.mark.parametrize("lang", ["en_US", "de_DE"])
def test_english_says_one_image_and_two_images(qapp, lang: str) -> None:
    from PySide6.QtCore import QCoreApplication

    from app.main import install_translators

    def count(n: int) -> str:
        return QCoreApplication.translate("GalleryPanel", "%n image(s)", "", n)

    try:
        install_translators(qapp, lang)  # German has no catalogue: it reads English
        assert (count(1), count(2)) == ("1 image", "2 images")
    finally:
        for translator in getattr(qapp, "_mountsea_translators", []):
            qapp.removeTranslator(translator)
        qapp._mountsea_translators = []


@pytest.mark.expect_log_error
def test_an_exception_in_a_slot_is_told_not_fatal(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.main import _install_excepthook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put pytest's hook back afterwards
    failures: list[str] = []
    _install_excepthook(qapp, failures)
    try:
        raise ValueError("a bug with sk-secretsecret123 inside")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    assert len(failures) == 1 and boxes
    assert "safe" in boxes[0].text() and "Traceback" not in boxes[0].text()
    assert "sk-secretsecret123" not in boxes[0].detailedText()
    for box in boxes:
        box.close()


def test_the_log_file_rotates(tmp_path: Path) -> None:
    """setup_logging's handler keeps app.log under its limit and three older files beside it."""
    from logging.handlers import RotatingFileHandler

    setup_logging(tmp_path)
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "_mountsea", False)]
    assert isinstance(handler, RotatingFileHandler)
    assert handler.maxBytes == 2_000_000 and handler.backupCount == 3
    handler.maxBytes = 200  # the same handler, a limit a test can reach
    logger = logging.getLogger("rotation-test")
    for i in range(60):
        logger.warning("record number %02d, padded to some length", i)
    handler.flush()
    names = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert names == ["app.log", "app.log.1", "app.log.2", "app.log.3"]
    assert all((tmp_path / "logs" / n).stat().st_size < 200 for n in names)
    assert "record number 59" in (tmp_path / "logs" / "app.log").read_text()


def test_the_window_and_the_command_line_share_the_data_folder() -> None:
    from app.paths import default_data_dir

    assert parse_args([]).data_dir == default_data_dir().expanduser().resolve()
    import app.main as main_module

    assert not hasattr(main_module, "default_data_dir")  # one data folder: app.paths


def test_nothing_under_ui_imports_main_or_the_simulator() -> None:
    """main builds everything and injects it (the simulator as a factory): the arrows from
    app/ui point down only. Every import form is caught, lazy ones inside functions too."""
    import ast

    forbidden = ("app.main", "app.simulator", "app.startup")
    offenders = []
    for path in sorted((ROOT / "app" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + (
                    [f"app.{a.name}" for a in node.names] if node.module == "app" else []
                )
            else:
                continue
            offenders += [
                f"{path.name}:{node.lineno}: {n}"
                for n in names
                if any(n == bad or n.startswith(bad + ".") for bad in forbidden)
            ]
    assert offenders == []
