"""The prompt and every request parameter, as a model the prompt panel binds to.

Each field is a property with a `<field>_changed` signal; setting a field to the value it has
does nothing, so a widget and the model can update each other without looping. `changed`
fires when one of the user's parameters changed (they are then written to Settings, which
keeps the last choices); `updated` fires after any change at all, for views that redraw.

The rules between fields live here: a transparent background needs png or webp (choosing
jpeg sets the background back to auto and says so in `format_note`; the same for the local
cut-out), compression applies to jpeg and webp only, input fidelity is sent only while
editing, and a custom WxH size is checked against the gpt-image-2 rules (app.core.sizes) and
snapped to the nearest valid size when the user leaves the field. `problems()` says why a job
cannot start yet, `notes()` what is worth knowing but does not stop it (experimental sizes,
the cut-out), and `request()` is the ImageRequest to send.

Sizes: the list offers auto and the 1K / 2K / 4K presets (`presets()`), then custom sizes
used before. For an edit the size follows the first picture's aspect (`follow_source`) until
the user picks one.

"Transparent (cut out)" (background TRANSPARENT_CUTOUT): gpt-image-2 refuses native
transparency, so the request asks for an opaque picture on a flat key colour chosen to avoid
the subject (`cutout_addition`, shown and editable, is added to the prompt) and carries
`cutout_key`, which tells the job to remove that colour locally.

The sentences were the prompt panel's: their context stays "PromptPanel" so the catalogue
keeps matching.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.core import key_colour, sizes
from app.core.api.models import (
    DEFAULT_MODEL,
    MAX_PROMPT_CHARS,
    SIZES,
    ImageRequest,
    custom_size_problem,
    parse_size,
)
from app.core.settings import Settings

CUSTOM = "__custom__"  # the size choice that means "the WxH typed in custom_size"
TRANSPARENT_CUTOUT = "transparent_cutout"  # opaque on a key colour, cut out here
QUALITIES = ("auto", "low", "medium", "high", "standard")
BACKGROUNDS = ("auto", "opaque", "transparent", TRANSPARENT_CUTOUT)
TRANSPARENT = ("transparent", TRANSPARENT_CUTOUT)  # both need png or webp
FORMATS = ("png", "jpeg", "webp")
MODERATIONS = ("auto", "low")
FIDELITIES = ("high", "low")
FLAVOURS = ("async", "compat")
COMPRESSED = ("jpeg", "webp")
MAX_COPIES = 16
EXPERIMENTAL_PIXELS = sizes.EXPERIMENTAL_PIXELS
# auto, then every preset size once, in tier order (1K starts with the documented three).
PRESET_SIZES = tuple(dict.fromkeys(["auto", *(p.size for p in sizes.PRESETS)]))

translate = QCoreApplication.translate


def _sentence(text: str | None) -> str | None:
    """The core's reasons start in lower case (they are also used mid-sentence on the CLI)."""
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


class FormModel(QObject):
    prompt_changed = Signal(str)
    size_choice_changed = Signal(str)  # one of size_choices()
    custom_size_changed = Signal(str)  # the WxH text, as typed
    sizes_changed = Signal()  # size_choices() is another list
    quality_changed = Signal(str)
    background_changed = Signal(str)
    output_format_changed = Signal(str)
    output_compression_changed = Signal(int)
    moderation_changed = Signal(str)
    input_fidelity_changed = Signal(str)
    flavour_changed = Signal(str)
    model_name_changed = Signal(str)  # as typed; empty means DEFAULT_MODEL
    user_changed = Signal(str)
    copies_changed = Signal(int)
    editing_changed = Signal(bool)
    format_note_changed = Signal(str)  # why the background changed by itself ("" for none)
    cutout_addition_changed = Signal(str)  # the sentence a cut-out adds to the prompt
    changed = Signal()  # one of the user's parameters changed (not the prompt)
    updated = Signal()  # anything changed
    valid_changed = Signal(bool)  # whether a job can start now (problems() is empty)

    def __init__(self, settings: Settings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else Settings()
        self._loading = False
        self._prompt = ""
        self._size_choice = "auto"
        self._custom_size = ""
        self._choices: list[str] = [*PRESET_SIZES, CUSTOM]
        self._followed: str | None = None  # the size follow_source chose, during an edit
        self._before = "auto"  # the size chosen before the edit started
        self._source: tuple[int, int] | None = None  # the first picture's size, while editing
        self._quality = "auto"
        self._background = "auto"
        self._output_format = "png"
        self._output_compression = 90
        self._moderation = "auto"
        self._input_fidelity = "high"
        self._flavour = "async"
        self._model_name = ""
        self._user = ""
        self._copies = 1
        self._editing = False
        self._format_note = ""
        self._cutout_addition = ""
        self._cutout_edited = False  # the user wrote their own: the prompt no longer drives it
        self._valid = False
        # Every change goes through `updated`; validity is worked out once per change.
        self.updated.connect(self._check_valid)
        self.load()
        self._check_valid()

    # -- the machinery -------------------------------------------------------------------

    def _set(self, name: str, value: Any, *, param: bool = True) -> bool:
        if getattr(self, "_" + name) == value:
            return False
        setattr(self, "_" + name, value)
        getattr(self, name + "_changed").emit(value)
        if param and not self._loading:
            self.store()
            self.changed.emit()
        self.updated.emit()
        return True

    def _choose(self, name: str, value: object, choices: tuple[str, ...]) -> None:
        # A value from an old file or a newer app that this one does not know is ignored.
        if value in choices:
            self._set(name, str(value))

    # -- the fields ----------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        return self._prompt

    @prompt.setter
    def prompt(self, text: str) -> None:
        if self._set("prompt", text, param=False):
            self._suggest_cutout()

    @property
    def size_choice(self) -> str:
        return self._size_choice

    @size_choice.setter
    def size_choice(self, value: str) -> None:
        if value in self._choices:
            self._set("size_choice", value)

    def size_choices(self) -> list[str]:
        """auto, the preset sizes (the documented three first), custom sizes used before, CUSTOM."""
        return list(self._choices)

    def presets(self) -> list[tuple[str, str]]:
        """(label, size) for the size list, grouped by tier: "1K · 3:2 · 1536 × 1024"."""
        out = []
        for p in sizes.PRESETS:
            aspect = translate("PromptPanel", "square") if p.aspect == "1:1" else p.aspect
            label = translate("PromptPanel", "{0} · {1} · {2} × {3}").format(
                p.tier, aspect, p.width, p.height
            )
            out.append((label, p.size))
        return out

    def follow_source(self, width: int | None, height: int | None) -> None:
        """For an edit: the size follows the first picture's aspect (the preset of the tier
        chosen before, 1K unless a 2K or 4K preset was chosen) until the user picks another.
        None (no pictures any more): back to the size chosen before the edit."""
        if width is None or height is None or width <= 0 or height <= 0:
            self._source = None
            if self._followed is not None and self._size_choice == self._followed:
                self._set("size_choice", self._before, param=False)
            self._followed = None
            return
        self._source = (width, height)
        if self._followed is None:  # the edit starts: remember what to go back to
            self._before = self._size_choice
            current = sizes.preset_for(self._size_choice)
        elif self._size_choice != self._followed:
            self.updated.emit()  # theirs wins, but the paste-back note may change
            return
        else:
            current = sizes.preset_for(self._followed)
        size = sizes.for_source(width, height, current.tier if current else "1K").size
        self._followed = size
        self._set("size_choice", size, param=False)

    @property
    def custom_size(self) -> str:
        return self._custom_size

    @custom_size.setter
    def custom_size(self, text: str) -> None:
        self._set("custom_size", text)

    @property
    def snapped_size(self) -> str | None:
        """The nearest size gpt-image-2 makes to a typed custom size it would refuse."""
        if self._size_choice != CUSTOM:
            return None
        dims = parse_size(self.size)
        if dims is None or min(dims) <= 0 or sizes.is_valid(*dims):
            return None
        w, h = sizes.snap(*dims)
        return f"{w}x{h}"

    def snap_custom_size(self) -> None:
        """The typed size becomes the nearest valid one (the panel calls this when the user
        leaves the field: snapping while typing would fight every keystroke)."""
        snapped = self.snapped_size
        if snapped:
            self.custom_size = snapped

    @property
    def size(self) -> str:
        """The size to send: the choice, or the typed WxH normalised ("2048 × 1152" works)."""
        if self._size_choice == CUSTOM:
            return self._custom_size.strip().lower().replace(" ", "").replace("×", "x")
        return self._size_choice

    @property
    def quality(self) -> str:
        return self._quality

    @quality.setter
    def quality(self, value: str) -> None:
        self._choose("quality", value, QUALITIES)

    @property
    def background(self) -> str:
        return self._background

    @background.setter
    def background(self, value: str) -> None:
        self._choose("background", value, BACKGROUNDS)
        if value == TRANSPARENT_CUTOUT:
            self._suggest_cutout()

    @property
    def is_cutout(self) -> bool:
        return self._background == TRANSPARENT_CUTOUT

    @property
    def cutout_addition(self) -> str:
        """The sentence added to the prompt for a cut-out (a suggestion until the user edits it)."""
        return self._cutout_addition

    @cutout_addition.setter
    def cutout_addition(self, text: str) -> None:
        if text != self._cutout_addition:
            self._cutout_edited = bool(text.strip())
            self._set("cutout_addition", text, param=False)
            if not self._cutout_edited:
                self._suggest_cutout()

    @property
    def cutout_key(self) -> key_colour.Colour:
        """The key colour: the one the (possibly edited) addition names, else the suggestion."""
        return key_colour.key_in_text(self._cutout_addition) or key_colour.choose_key_colour(
            self._prompt
        )

    def _suggest_cutout(self) -> None:
        if self._cutout_edited:
            return
        text = key_colour.prompt_addition(key_colour.choose_key_colour(self._prompt))
        self._set("cutout_addition", text, param=False)

    @property
    def output_format(self) -> str:
        return self._output_format

    @output_format.setter
    def output_format(self, value: str) -> None:
        if value not in FORMATS or not self._set("output_format", value):
            return
        if self._loading:
            return
        if value == "jpeg" and self._background in TRANSPARENT:
            self.background = "auto"
            note = translate("PromptPanel", "Background set to Auto: JPEG has no transparency.")
            self._set("format_note", note, param=False)
        else:
            self._set("format_note", "", param=False)

    @property
    def format_note(self) -> str:
        return self._format_note

    @property
    def transparent_allowed(self) -> bool:
        return self._output_format != "jpeg"

    @property
    def compression_enabled(self) -> bool:
        return self._output_format in COMPRESSED

    @property
    def output_compression(self) -> int:
        return self._output_compression

    @output_compression.setter
    def output_compression(self, value: int) -> None:
        self._set("output_compression", max(0, min(100, int(value))))

    @property
    def moderation(self) -> str:
        return self._moderation

    @moderation.setter
    def moderation(self, value: str) -> None:
        self._choose("moderation", value, MODERATIONS)

    @property
    def input_fidelity(self) -> str:
        return self._input_fidelity

    @input_fidelity.setter
    def input_fidelity(self, value: str) -> None:
        self._choose("input_fidelity", value, FIDELITIES)

    @property
    def input_fidelity_enabled(self) -> bool:
        return self._editing

    @property
    def flavour(self) -> str:
        return self._flavour

    @flavour.setter
    def flavour(self, value: str) -> None:
        self._choose("flavour", value, FLAVOURS)

    def set_session_flavour(self, value: str) -> None:
        """For this session only (--api): not stored as the user's own last choice."""
        if value in FLAVOURS:
            self._set("flavour", value, param=False)

    @property
    def model_name(self) -> str:
        return self._model_name

    @model_name.setter
    def model_name(self, text: str) -> None:
        self._set("model_name", text)

    @property
    def user(self) -> str:
        return self._user

    @user.setter
    def user(self, text: str) -> None:
        self._set("user", text)

    @property
    def copies(self) -> int:
        return self._copies

    @copies.setter
    def copies(self, value: int) -> None:
        self._set("copies", max(1, min(MAX_COPIES, int(value))))

    @property
    def editing(self) -> bool:
        return self._editing

    @editing.setter
    def editing(self, editing: bool) -> None:
        self._set("editing", bool(editing), param=False)

    # -- what the form says --------------------------------------------------------------

    @property
    def valid(self) -> bool:
        """A job can start with the form as it is (see problems())."""
        return self._valid

    def _check_valid(self) -> None:
        valid = not self.problems()
        if valid != self._valid:
            self._valid = valid
            self.valid_changed.emit(valid)

    def problems(self) -> list[str]:
        """Why the job cannot start yet (translated sentences); empty when it can."""
        problems = []
        text = self._prompt.strip()
        if not text:
            problems.append(translate("PromptPanel", "Write a prompt first."))
        elif len(text) > MAX_PROMPT_CHARS:
            problems.append(
                translate("PromptPanel", "The prompt is too long: at most 32,000 characters.")
            )
        size = self.size
        if size not in SIZES:
            problem = (
                custom_size_problem(size)
                if size
                else translate("PromptPanel", "Enter a custom size such as 2048x1152.")
            )
            if problem:
                problems.append(problem)
        if self._background in TRANSPARENT and self._output_format == "jpeg":
            problems.append(translate("PromptPanel", "A transparent background needs PNG or WebP."))
        return problems

    def explained_problems(self) -> list[str]:
        """The problems worth a sentence under the form: an empty prompt is obvious, and a
        size problem is already told under the size field (size_note)."""
        size = self.size
        told = (
            translate("PromptPanel", "Write a prompt first."),
            translate("PromptPanel", "Enter a custom size such as 2048x1152."),
            custom_size_problem(size) if size not in SIZES else None,
        )
        return [p for p in self.problems() if p not in told]

    def size_note(self) -> tuple[str | None, bool]:
        """What to say under the size, and whether it is an error."""
        size = self.size
        if self._size_choice == CUSTOM:
            problem = custom_size_problem(size) if size else None
            if problem:
                snapped = self.snapped_size
                if snapped:
                    nearest = translate(
                        "PromptPanel",
                        "The nearest size it makes is {0}, used when you leave the field.",
                    ).format(snapped)
                    return f"{_sentence(problem)} {nearest}", True
                return _sentence(problem), True
        return self._experimental_note(), False

    def _experimental_note(self) -> str | None:
        dims = parse_size(self.size)
        if dims and sizes.is_valid(*dims) and sizes.is_experimental(*dims):
            return translate(
                "PromptPanel",
                "OpenAI calls sizes above 2560x1440 experimental: results may be less reliable.",
            )
        return None

    def _paste_back_note(self) -> str | None:
        """Said before the job when the chosen size has another shape than the picture."""
        dims = parse_size(self.size)
        if not self._editing or self._source is None or dims is None or not sizes.is_valid(*dims):
            return None
        mode, box = sizes.fit(dims, self._source)
        if mode == "crop" and box == (0, 0, *dims):
            return None
        if mode == "crop":
            return translate(
                "PromptPanel",
                "This size has another shape than the picture: pasted back, the result is "
                "cropped at its edges, never stretched.",
            )
        return translate(
            "PromptPanel",
            "This size has another shape than the picture: pasted back, the result is fitted "
            "inside it (letterboxed), never stretched.",
        )

    def notes(self) -> list[str]:
        """Worth knowing, not in the way: an experimental size, what a cut-out does."""
        notes = []
        experimental = self._experimental_note()
        if experimental:
            notes.append(experimental)
        fit = self._paste_back_note()
        if fit:
            notes.append(fit)
        if self.is_cutout:
            notes.append(
                translate(
                    "PromptPanel",
                    "The picture is asked for on a flat colour, which is then removed here; "
                    "the uncut picture is kept too.",
                )
            )
        return notes

    def request(self) -> ImageRequest:
        fmt = self._output_format
        prompt = self._prompt.strip()
        background = self._background
        key: key_colour.Colour | None = None
        if background == TRANSPARENT_CUTOUT:
            background, key = "opaque", self.cutout_key
            addition = self._cutout_addition.strip()
            prompt = f"{prompt}\n\n{addition}" if addition else prompt
        return ImageRequest(
            prompt=prompt,
            model=self._model_name.strip() or DEFAULT_MODEL,
            size=self.size,
            quality=self._quality,
            background=background,
            output_format=fmt,
            output_compression=self._output_compression if fmt in COMPRESSED else None,
            moderation=self._moderation,
            user=self._user.strip() or None,
            input_fidelity=self._input_fidelity if self._editing else None,
            cutout_key=key,
        )

    def apply_params(self, params: dict[str, Any]) -> None:
        """Reuse the settings of an earlier job or image (prompt included). A cut-out job's
        prompt ends with its addition: the two are split again."""
        prompt = str(params.get("prompt") or "")
        cut = params.get("cutout_key") is not None
        if cut and "\n\n" in prompt:
            prompt, addition = prompt.rsplit("\n\n", 1)
            self.cutout_addition = addition
        if prompt:
            self.prompt = prompt
        size = str(params.get("size") or "auto")
        if size not in PRESET_SIZES and custom_size_problem(size) is None:
            self._settings.remember_custom_size(size)
            self._refresh_choices()
        self.size_choice = size
        # The setters ignore values this app does not know.
        for name in ("quality", "background", "output_format", "moderation", "input_fidelity"):
            if params.get(name):
                setattr(self, name, str(params[name]))
        if cut:
            self.background = TRANSPARENT_CUTOUT
        if params.get("output_compression") is not None:
            self.output_compression = int(params["output_compression"])
        model = str(params.get("model") or DEFAULT_MODEL)
        self.model_name = "" if model == DEFAULT_MODEL else model
        self.user = str(params.get("user") or "")

    def remember_used_size(self) -> None:
        """A custom size that was sent is offered in the list from the next start on."""
        size = self.size
        if size not in PRESET_SIZES and custom_size_problem(size) is None:
            self._settings.remember_custom_size(size)

    # -- persistence ---------------------------------------------------------------------

    def _refresh_choices(self) -> None:
        custom = [
            s
            for s in self._settings.custom_sizes
            if s not in PRESET_SIZES and custom_size_problem(s) is None
        ]
        choices = [*PRESET_SIZES, *custom, CUSTOM]
        if choices != self._choices:
            self._choices = choices
            self.sizes_changed.emit()
            self.updated.emit()

    def load(self) -> None:
        """Take the last choices from Settings (without writing them back)."""
        s = self._settings
        self._loading = True
        try:
            self._refresh_choices()
            self.size_choice = s.size if s.size in self._choices else "auto"
            self.quality = s.quality
            self.background = s.background
            self.output_format = s.output_format
            self.output_compression = int(s.output_compression)
            self.moderation = s.moderation
            self.input_fidelity = s.input_fidelity
            self.flavour = s.api_flavour
            self.model_name = s.model if s.model != DEFAULT_MODEL else ""
            self.user = s.user
            self.copies = int(s.copies)
        finally:
            self._loading = False

    def store(self) -> None:
        """Write the current choices to Settings (a custom size only once it is valid)."""
        s = self._settings
        size = self.size
        if self._followed is not None and self._size_choice == self._followed:
            size = self._before  # the edit's size is the picture's, not the user's choice
        if size in SIZES or custom_size_problem(size) is None:
            s.size = size
        s.quality = self._quality
        # Until Settings lists TRANSPARENT_CUTOUT among its backgrounds, it is not remembered.
        with contextlib.suppress(ValueError):
            s.background = self._background
        s.output_format = self._output_format
        s.output_compression = self._output_compression
        s.moderation = self._moderation
        s.input_fidelity = self._input_fidelity
        s.api_flavour = self._flavour
        s.model = self._model_name.strip() or DEFAULT_MODEL
        s.user = self._user.strip()
        s.copies = self._copies
