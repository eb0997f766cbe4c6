"""The prompt-and-parameters form as a model, without any widget."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.api.models import DEFAULT_MODEL, SIZES, ImageRequest
from app.core.settings import Settings
from app.services.form import CUSTOM, FormModel


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def form(qapp, settings: Settings) -> FormModel:  # type: ignore[no-untyped-def]
    return FormModel(settings)


def test_each_field_says_when_it_changes_and_only_then(form: FormModel) -> None:
    seen: list[str] = []
    form.quality_changed.connect(seen.append)
    changed: list[None] = []
    form.changed.connect(lambda: changed.append(None))
    form.quality = "high"
    form.quality = "high"
    form.quality = "ultra"  # not a quality: ignored
    assert seen == ["high"] and form.quality == "high" and len(changed) == 1
    form.prompt = "a fox"  # the prompt is not a parameter worth keeping
    assert len(changed) == 1


def test_problems_until_the_form_can_be_sent(form: FormModel) -> None:
    assert form.problems() == ["Write a prompt first."]
    form.prompt = "x" * 32_001
    assert form.problems() == ["The prompt is too long: at most 32,000 characters."]
    form.prompt = "  a lighthouse  "
    assert form.problems() == []
    form.size_choice = CUSTOM
    assert form.problems() == ["Enter a custom size such as 2048x1152."]
    form.custom_size = "1000x1000"
    assert any("multiples of 16" in p for p in form.problems())
    assert form.explained_problems() == []  # told under the size field instead
    note, error = form.size_note()
    assert error and note is not None and note[0].isupper() and note.endswith(".")
    form.custom_size = "3840 × 2160"
    assert form.problems() == [] and form.size == "3840x2160"
    note, error = form.size_note()
    assert not error and note is not None and "experimental" in note


def test_transparent_needs_png_or_webp(form: FormModel) -> None:
    form.prompt = "a logo"
    form.background = "transparent"
    notes: list[str] = []
    form.format_note_changed.connect(notes.append)
    form.output_format = "jpeg"
    assert form.background == "auto" and not form.transparent_allowed
    assert notes == ["Background set to Auto: JPEG has no transparency."]
    form.output_format = "webp"
    assert notes[-1] == "" and form.transparent_allowed
    # Through reused parameters, in an order the rule cannot fix by itself:
    form.apply_params({"output_format": "jpeg"})
    form.background = "transparent"
    assert form.problems() == ["A transparent background needs PNG or WebP."]
    assert form.explained_problems() == form.problems()


def test_compression_and_input_fidelity_only_where_they_apply(form: FormModel) -> None:
    form.prompt = "p"
    form.output_compression = 55
    assert not form.compression_enabled and form.request().output_compression is None
    form.output_format = "webp"
    assert form.compression_enabled and form.request().output_compression == 55
    assert not form.input_fidelity_enabled and form.request().input_fidelity is None
    form.editing = True
    assert form.input_fidelity_enabled and form.request().input_fidelity == "high"


def test_request_carries_every_field(form: FormModel) -> None:
    form.prompt = "  a red kite  "
    form.size_choice = "1536x1024"
    form.quality = "low"
    form.moderation = "low"
    form.user = " someone "
    request = form.request()
    assert request.prompt == "a red kite" and request.size == "1536x1024"
    assert request.quality == "low" and request.moderation == "low"
    assert request.user == "someone" and request.model == DEFAULT_MODEL
    form.model_name = "gpt-image-1"
    assert form.request().model == "gpt-image-1"


def test_choices_are_stored_and_read_back(settings: Settings, form: FormModel) -> None:
    form.quality = "medium"
    form.output_format = "jpeg"
    form.output_compression = 70
    form.copies = 3
    form.model_name = "other-model"
    form.size_choice = CUSTOM
    form.custom_size = "2048x11"  # not valid yet: the last valid size stays stored
    assert settings.size == "auto"
    form.custom_size = "2048x1152"
    assert settings.quality == "medium" and settings.output_format == "jpeg"
    assert settings.output_compression == 70 and settings.copies == 3
    assert settings.model == "other-model" and settings.size == "2048x1152"
    form.remember_used_size()
    again = FormModel(settings)
    assert again.quality == "medium" and again.copies == 3 and again.model_name == "other-model"
    assert "2048x1152" in again.size_choices() and again.size_choice == "2048x1152"
    assert again.size_choices()[: len(SIZES)] == list(SIZES) and again.size_choices()[-1] == CUSTOM


def test_a_session_flavour_is_not_stored(settings: Settings, form: FormModel) -> None:
    changed: list[None] = []
    form.changed.connect(lambda: changed.append(None))
    form.set_session_flavour("compat")
    assert form.flavour == "compat" and settings.api_flavour == "async" and not changed
    form.flavour = "async"
    assert settings.api_flavour == "async" and len(changed) == 1


def test_apply_params_reuses_an_earlier_job(settings: Settings, form: FormModel) -> None:
    sizes: list[None] = []
    form.sizes_changed.connect(lambda: sizes.append(None))
    form.user = "me"
    form.apply_params(
        {
            "prompt": "from the gallery",
            "size": "2048x1152",
            "quality": "low",
            "output_format": "webp",
            "output_compression": 40,
            "model": DEFAULT_MODEL,
        }
    )
    assert form.prompt == "from the gallery" and form.quality == "low"
    assert form.size_choice == "2048x1152" and form.size == "2048x1152" and sizes
    assert settings.custom_sizes[0] == "2048x1152"
    assert form.output_format == "webp" and form.output_compression == 40
    assert form.model_name == "" and form.user == ""
    form.apply_params({"size": "17x17", "quality": "nonsense"})  # unknown: kept as they were
    assert form.size_choice == "2048x1152" and form.quality == "low"
    assert form.prompt == "from the gallery"  # no prompt given: the prompt stays


def test_the_size_list_offers_the_presets_by_tier(form: FormModel) -> None:
    choices = form.size_choices()
    assert choices[:4] == ["auto", "1024x1024", "1024x1536", "1536x1024"]
    for size in ("1536x864", "2560x1440", "1920x1920", "3840x2160", "2880x2880", "3264x2448"):
        assert size in choices
    assert len(choices) == len(set(choices))
    presets = form.presets()
    assert [size for _label, size in presets][:3] == ["1024x1024", "1024x1536", "1536x1024"]
    labels = dict((size, label) for label, size in presets)
    assert labels["2560x1440"] == "2K · 16:9 · 2560 × 1440"
    assert labels["1024x1024"] == "1K · square · 1024 × 1024"
    form.prompt = "p"
    form.size_choice = "3840x2160"
    assert form.problems() == [] and form.request().size == "3840x2160"
    note, error = form.size_note()
    assert not error and note is not None and "experimental" in note
    assert note in form.notes()  # a note, never a problem
    form.size_choice = "2560x1440"
    assert form.size_note() == (None, False) and form.notes() == []


def test_a_custom_size_is_snapped_when_the_user_is_done(form: FormModel) -> None:
    form.prompt = "p"
    form.size_choice = CUSTOM
    form.custom_size = "800x800"  # under gpt-image-2's 655,360 pixels
    assert any("too small" in p for p in form.problems())
    assert form.snapped_size == "816x816"
    note, error = form.size_note()
    assert error and note is not None and "816x816" in note
    form.snap_custom_size()
    assert form.custom_size == "816x816" and form.problems() == []
    form.custom_size = "1024 × 624"
    form.snap_custom_size()
    assert form.size == "1056x640" and form.problems() == []
    form.custom_size = "nonsense"
    assert form.snapped_size is None
    form.snap_custom_size()
    assert form.custom_size == "nonsense"  # nothing to snap to: left for the user to fix


def test_an_edit_follows_its_first_picture_until_the_user_picks(
    settings: Settings, form: FormModel
) -> None:
    form.size_choice = "2560x1440"  # the user's 2K choice before the edit
    form.follow_source(3000, 2000)
    assert form.size_choice == "2304x1536"  # 2K, at the picture's 3:2
    assert settings.size == "2560x1440"  # the picture's size is not the user's choice
    form.follow_source(1080, 1920)  # another first picture
    assert form.size_choice == "1440x2560"
    form.follow_source(None, None)  # no pictures: back to the user's size
    assert form.size_choice == "2560x1440"
    form.size_choice = "auto"
    form.follow_source(400, 400)
    assert form.size_choice == "1024x1024"
    form.size_choice = "1536x1024"  # picked for this edit: theirs wins
    form.follow_source(1080, 1920)
    assert form.size_choice == "1536x1024" and settings.size == "1536x1024"
    form.follow_source(None, None)
    assert form.size_choice == "1536x1024"


def test_an_edit_says_before_the_job_how_another_shape_is_pasted_back(form: FormModel) -> None:
    form.prompt = "p"
    form.editing = True
    form.follow_source(1500, 1000)
    assert form.size_choice == "1536x1024" and form.notes() == []  # same shape: nothing to say
    form.size_choice = "1536x864"  # 16:9 on 3:2: a little is cropped
    assert any("cropped" in n and "never stretched" in n for n in form.notes())
    form.size_choice = "1024x1024"  # square on 3:2: letterboxed
    assert any("letterboxed" in n for n in form.notes())
    assert form.problems() == []  # notes, not problems
    form.follow_source(None, None)
    assert not any("pasted back" in n for n in form.notes())


def test_transparent_cut_out_asks_for_an_opaque_picture_on_a_key_colour(form: FormModel) -> None:
    form.prompt = "a potted plant with green leaves"
    form.background = "transparent_cutout"
    assert form.is_cutout and "#FF00FF" in form.cutout_addition
    request = form.request()
    assert request.background == "opaque" and request.cutout_key == (255, 0, 255)
    assert request.prompt == "a potted plant with green leaves\n\n" + form.cutout_addition
    assert request.problems() == []
    assert any("removed here" in n for n in form.notes())
    form.prompt = "a red fox"  # the suggestion follows the prompt...
    assert "#00FF00" in form.cutout_addition and form.request().cutout_key == (0, 255, 0)
    form.cutout_addition = "Paint it on solid blue, #0000FF, flat."  # ...until the user writes one
    form.prompt = "a red fox, at night"
    assert form.cutout_addition == "Paint it on solid blue, #0000FF, flat."
    assert form.request().cutout_key == (0, 0, 255)
    form.cutout_addition = ""  # cleared: the suggestion is back
    assert "#00FF00" in form.cutout_addition
    form.output_format = "jpeg"  # no alpha in JPEG: the same rule as native transparency
    assert form.background == "auto" and form.format_note
    assert form.request().cutout_key is None and form.request().prompt == "a red fox, at night"


def test_a_cut_out_job_is_reused_as_a_cut_out(form: FormModel) -> None:
    form.prompt = "a sticker of a cat"
    form.background = "transparent_cutout"
    params = form.request().parameters()
    assert params["background"] == "opaque" and params["cutout_key"] == [0, 255, 0]
    other = FormModel(Settings())
    other.apply_params(params)
    assert other.is_cutout and other.prompt == "a sticker of a cat"
    assert other.cutout_addition == form.cutout_addition
    assert other.request().prompt == form.request().prompt
    assert "cutout_key" not in ImageRequest(prompt="x").parameters()  # old records unchanged


def test_the_panel_shows_presets_the_cut_out_and_snaps_on_leaving(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    # Widgets over the model (belongs with tests/ui once merged).
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from app.ui.prompt_panel import PromptPanel

    panel = PromptPanel(Settings())
    qtbot.addWidget(panel)
    panel.show()
    combo = panel.findChild(QComboBox, "sizeCombo")
    assert combo.findData("2560x1440") > combo.findData("1536x864") > 0
    assert combo.itemText(combo.findData("3840x2160")) == "4K · 16:9 · 3840 × 2160"
    combo.setCurrentIndex(combo.findData("3840x2160"))
    assert panel.form.size_choice == "3840x2160" and "experimental" in panel.size_hint.text()
    background = panel.findChild(QComboBox, "backgroundCombo")
    cut = panel.findChild(QLineEdit, "cutoutEdit")
    assert not cut.isVisible()
    background.setCurrentIndex(background.findData("transparent_cutout"))
    assert background.currentText() == "Transparent (cut out)"
    assert cut.isVisible() and cut.text() == panel.form.cutout_addition
    combo.setCurrentIndex(combo.findData(CUSTOM))
    edit = panel.custom_size_edit
    edit.setFocus()
    qtbot.keyClicks(edit, "800x800")
    assert not panel.generate_button.isEnabled()
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # done typing: snapped
    assert edit.text() == "816x816" and panel.request().size == "816x816"
