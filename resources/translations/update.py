"""Refresh the Simplified Chinese translation: lupdate over app/ui, app/services, app/main.py and
app/core/sentences.py, then lrelease to the .qm the app loads.

    .venv/bin/python resources/translations/update.py

lupdate cannot see the class of `tr = self.tr; tr("...")` or of a module-level helper and
files such strings under an empty context, where `self.tr` would never find them at run time.
This script moves each of them to the class that encloses its line, and keeps every existing
translation (looked up by context and source, then by source alone). It prints what is left
untranslated.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS = HERE / "mountsea_zh_CN.ts"
QM = HERE / "mountsea_zh_CN.qm"
# English needs a catalogue only for its plurals: "%n image(s)" becomes "1 image" / "2 images".
EN_TS = HERE / "mountsea_en.ts"
EN_QM = HERE / "mountsea_en.qm"
# Where dropping or doubling "(s)" does not make good English, the forms are given here.
EN_FORMS: dict[str, tuple[str, str]] = {
    "Replaced the edit with “%1”: %n earlier picture(s) were put aside.": (
        "Replaced the edit with “%1”: %n earlier picture was put aside.",
        "Replaced the edit with “%1”: %n earlier pictures were put aside.",
    ),
    "No network: %n job(s) wait and start when it is back. The gallery works as usual.": (
        "No network: %n job waits and starts when it is back. The gallery works as usual.",
        "No network: %n jobs wait and start when it is back. The gallery works as usual.",
    ),
    "%n job(s) still running in another window or on the command line; they land in the "
    "gallery when done": (
        "%n job still running in another window or on the command line; it lands in the "
        "gallery when done",
        "%n jobs still running in another window or on the command line; they land in the "
        "gallery when done",
    ),
    "%n async task(s) will resume the next time the app starts.": (
        "%n async task will resume the next time the app starts.",
        "%n async tasks will resume the next time the app starts.",
    ),
    "%n picture(s) being made with the Compat API will be lost if you quit now; the server "
    "bills them anyway.": (
        "%n picture being made with the Compat API will be lost if you quit now; the server "
        "bills it anyway.",
        "%n pictures being made with the Compat API will be lost if you quit now; the server "
        "bills them anyway.",
    ),
}
BIN = Path(sys.executable).parent


def sources() -> list[Path]:
    files = sorted((ROOT / "app" / "ui").glob("*.py")) + sorted(
        (ROOT / "app" / "services").glob("*.py")
    )
    # The one table of error sentences lives in core (no Qt there): its literal
    # translate(context, text) calls are found like QCoreApplication.translate ones.
    # sizes.py says in a sentence how an edit was pasted back (its translate calls, likewise).
    return [
        *files,
        ROOT / "app" / "core" / "sentences.py",
        ROOT / "app" / "core" / "sizes.py",
        ROOT / "app" / "main.py",
    ]


def known_translations() -> tuple[dict[tuple[str, str], ET.Element], dict[str, ET.Element]]:
    by_key: dict[tuple[str, str], ET.Element] = {}
    by_source: dict[str, ET.Element] = {}
    if not TS.exists():
        return by_key, by_source
    for ctx in ET.parse(TS).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("unfinished", "obsolete", "vanished"):
                continue
            if not (tr.text or len(tr)):
                continue
            source = msg.findtext("source") or ""
            by_key[(name, source)] = tr
            by_source.setdefault(source, tr)
    return by_key, by_source


def enclosing_class(
    path: Path, line: int, cache: dict[Path, list[tuple[int, int, str]]]
) -> str | None:
    if path not in cache:
        spans = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                spans.append((node.lineno, node.end_lineno or node.lineno, node.name))
        cache[path] = spans
    inner = [s for s in cache[path] if s[0] <= line <= s[1]]
    return min(inner, key=lambda s: s[1] - s[0])[2] if inner else None


def _mark_plural(msg: ET.Element) -> None:
    """lupdate marks a plural only for `tr(text, "", n)` with a plain name as `n`, not for
    QCoreApplication.translate(ctx, text, "", n): every "%n" message is made a plural here (one
    form in Chinese), so lrelease and the lookup at run time agree."""
    tr = msg.find("translation")
    if tr is None or "%n" not in (msg.findtext("source") or ""):
        return
    msg.set("numerus", "yes")
    if tr.find("numerusform") is None and (tr.text or "").strip():
        text, tr.text = tr.text, None
        ET.SubElement(tr, "numerusform").text = text


def english_forms(source: str) -> tuple[str, str]:
    """Singular and plural of an English "%n" message: drop or double its "(s)"."""
    if source in EN_FORMS:
        return EN_FORMS[source]
    return source.replace("(s)", ""), source.replace("(s)", "s")


def write_english(zh_root: ET.Element) -> None:
    """The English catalogue: every plural message of the Chinese one, in English forms."""
    root = ET.Element("TS", version="2.1", language="en", sourcelanguage="en")
    for ctx in zh_root.findall("context"):
        plurals = [m for m in ctx.findall("message") if "%n" in (m.findtext("source") or "")]
        if not plurals:
            continue
        out = ET.SubElement(root, "context")
        ET.SubElement(out, "name").text = ctx.findtext("name") or ""
        for msg in plurals:
            source = msg.findtext("source") or ""
            entry = ET.SubElement(out, "message", numerus="yes")
            ET.SubElement(entry, "source").text = source
            if (comment := msg.findtext("comment")) is not None:
                ET.SubElement(entry, "comment").text = comment
            tr = ET.SubElement(entry, "translation")
            for form in english_forms(source):
                ET.SubElement(tr, "numerusform").text = form
    tree = ET.ElementTree(root)
    ET.indent(tree, space="    ")
    body = ET.tostring(root, encoding="unicode")
    EN_TS.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(EN_TS), "-qm", str(EN_QM)], check=True, cwd=ROOT
    )


def main() -> int:
    by_key, by_source = known_translations()
    subprocess.run(
        [
            str(BIN / "pyside6-lupdate"),
            *map(str, sources()),
            "-ts",
            str(TS),
            "-source-language",
            "en",
            "-target-language",
            "zh_CN",
            "-no-obsolete",
        ],
        check=True,
        cwd=ROOT,
    )
    tree = ET.parse(TS)
    root = tree.getroot()
    contexts = {ctx.findtext("name") or "": ctx for ctx in root.findall("context")}
    cache: dict[Path, list[tuple[int, int, str]]] = {}
    empty = contexts.get("")
    if empty is not None:
        for msg in list(empty.findall("message")):
            loc = msg.find("location")
            if loc is None:
                continue
            path = (TS.parent / loc.get("filename", "")).resolve()
            owner = enclosing_class(path, int(loc.get("line", "0")), cache)
            if owner is None:
                continue
            target = contexts.get(owner)
            if target is None:
                target = ET.SubElement(root, "context")
                ET.SubElement(target, "name").text = owner
                contexts[owner] = target
            empty.remove(msg)
            if not any(
                m.findtext("source") == msg.findtext("source") for m in target.findall("message")
            ):
                target.append(msg)
        if not empty.findall("message"):
            root.remove(empty)
    missing = []
    for ctx in root.findall("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.findall("message"):
            tr = msg.find("translation")
            if tr is None:
                continue
            if tr.get("type") == "unfinished" or not (tr.text or len(tr)):
                source = msg.findtext("source") or ""
                known = by_key.get((name, source)) or by_source.get(source)
                if known is None:
                    missing.append(f"{name}: {source}")
                    continue
                tr.text = known.text
                for child in list(tr):
                    tr.remove(child)
                for child in known:
                    ET.SubElement(tr, child.tag).text = child.text
                tr.attrib.pop("type", None)
    for msg in root.iter("message"):
        _mark_plural(msg)
    ET.indent(tree, space="    ")
    body = ET.tostring(root, encoding="unicode")
    TS.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(QM)], check=True, cwd=ROOT)
    write_english(root)
    if missing:
        print(f"{len(missing)} string(s) still need a translation:")
        for line in missing:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
