"""The prompt-and-parameters form as a model, without any widget."""

from __future__ import annotations

import pytest

from app.core.api.models import DEFAULT_MODEL, SIZES
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
