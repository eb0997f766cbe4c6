# PyInstaller runtime hook, frozen into both bundles: a self-check that runs only when
# MOUNTSEA_BUNDLE_PROBE=1, prints one JSON line about the bundle as frozen, and exits
# before the app starts. tests/packaging/test_frozen.py uses it to check the keyring
# backend the frozen app will get (not keyring's fail backend), without an app flag.
# Without the variable it does nothing (a dict lookup at start-up).
import os as _os

if _os.environ.get("MOUNTSEA_BUNDLE_PROBE") == "1":
    import importlib
    import json
    import sys

    def _probe() -> dict:
        info: dict = {
            "frozen": bool(getattr(sys, "frozen", False)),
            "meipass": getattr(sys, "_MEIPASS", None),
        }
        try:
            import keyring
            import keyring.backend

            chosen = keyring.get_keyring()
            info["keyring_backend"] = f"{type(chosen).__module__}.{type(chosen).__qualname__}"
            info["keyring_viable"] = sorted(
                f"{type(k).__module__}.{type(k).__qualname__}"
                for k in keyring.backend.get_all_keyring()
            )
        except Exception as exc:  # report, don't crash: the test reads the reason
            info["keyring_error"] = f"{type(exc).__name__}: {exc}"
        reasons = {}
        backends = {
            "SecretService": "Keyring",
            "Windows": "WinVaultKeyring",
            "macOS": "Keyring",
            "kwallet": "DBusKeyring",
            "libsecret": "Keyring",
        }
        for name, class_name in backends.items():
            try:
                module = importlib.import_module(f"keyring.backends.{name}")
                priority = getattr(module, class_name).priority  # raises the reason when not viable
                reasons[name] = f"viable (priority {priority})"
            except Exception as exc:
                reasons[name] = f"{type(exc).__name__}: {exc}"
        info["keyring_backends"] = reasons
        if _os.environ.get("MOUNTSEA_BUNDLE_PROBE_ROUNDTRIP") == "1":
            # Only for throwaway keyrings (the test runs it in its own D-Bus session).
            try:
                import secrets

                value = secrets.token_hex(8)
                keyring.set_password("mountsea-bundle-probe", "probe", value)
                ok = keyring.get_password("mountsea-bundle-probe", "probe") == value
                keyring.delete_password("mountsea-bundle-probe", "probe")
                info["keyring_roundtrip"] = "ok" if ok else "mismatch"
            except Exception as exc:
                info["keyring_roundtrip"] = f"{type(exc).__name__}: {exc}"
        try:
            from app.resources import resources_dir

            info["resources_dir"] = str(resources_dir())
            info["resources_ok"] = (resources_dir() / "icons" / "app-256.png").is_file()
        except Exception as exc:
            info["resources_error"] = f"{type(exc).__name__}: {exc}"
        try:
            # The task list's icons are SVG files drawn by QtSvg (app/ui/icons.py): both the
            # files and the module must be in the bundle.
            from PySide6.QtSvg import QSvgRenderer

            from app.ui.icons import NAMES

            info["svg_icons_ok"] = all(
                QSvgRenderer(str(resources_dir() / "icons" / f"{name}.svg")).isValid()
                for name in NAMES
            )
        except Exception as exc:
            info["svg_icons_error"] = f"{type(exc).__name__}: {exc}"
        try:
            from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

            qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            info["qt_translations_path"] = qt_translations
            info["qt_zh_CN_loads"] = QTranslator().load(
                QLocale("zh_CN"), "qtbase", "_", qt_translations
            )
            if "resources_dir" in info:
                ours = str(resources_dir() / "translations")
                info["app_zh_CN_loads"] = QTranslator().load(
                    QLocale("zh_CN"), "mountsea", "_", ours
                )
        except Exception as exc:
            info["qt_error"] = f"{type(exc).__name__}: {exc}"
        return info

    sys.stdout.write(json.dumps(_probe()) + "\n")
    sys.stdout.flush()
    sys.exit(0)
