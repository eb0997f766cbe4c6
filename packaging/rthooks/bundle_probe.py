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
        info: dict = {"frozen": bool(getattr(sys, "frozen", False)), "meipass": getattr(sys, "_MEIPASS", None)}
        try:
            import keyring
            import keyring.backend

            chosen = keyring.get_keyring()
            info["keyring_backend"] = f"{type(chosen).__module__}.{type(chosen).__qualname__}"
            info["keyring_viable"] = sorted(
                f"{type(k).__module__}.{type(k).__qualname__}" for k in keyring.backend.get_all_keyring()
            )
        except Exception as exc:  # report, don't crash: the test reads the reason
            info["keyring_error"] = f"{type(exc).__name__}: {exc}"
        reasons = {}
        for name in ("SecretService", "Windows", "macOS", "kwallet", "libsecret"):
            module_name = f"keyring.backends.{name}"
            try:
                module = importlib.import_module(module_name)
                priority = module.Keyring.priority  # raises with the reason when not viable
                reasons[name] = f"viable (priority {priority})"
            except Exception as exc:
                reasons[name] = f"{type(exc).__name__}: {exc}"
        info["keyring_backends"] = reasons
        try:
            from app.resources import resources_dir

            info["resources_dir"] = str(resources_dir())
            info["resources_ok"] = (resources_dir() / "icons" / "app-256.png").is_file()
        except Exception as exc:
            info["resources_error"] = f"{type(exc).__name__}: {exc}"
        return info

    sys.stdout.write(json.dumps(_probe()) + "\n")
    sys.stdout.flush()
    sys.exit(0)
