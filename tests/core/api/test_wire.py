"""What reaches the wire, in both flavours, checked on the simulator's recorded requests."""

from __future__ import annotations

import base64
import json

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.models import Flavour, ImageRequest, InputImage

# A copy of the shared spec extract (MIT, OpenAI; commit noted inside) so a fresh clone has it.
from tests.conftest import SPEC_PATH, TEST_KEY
from tests.core.api.imgs import mask, picture, size_of

SPEC = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMAS = SPEC["components"]["schemas"]
REGISTRY = Registry().with_resource("urn:spec", Resource(contents=SPEC, specification=DRAFT202012))


def validate(instance: dict, schema_name: str) -> None:
    schema = {"$ref": f"urn:spec#/components/schemas/{schema_name}"}
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(instance)


FULL = dict(
    prompt="a lighthouse at dusk, oil painting",
    model="gpt-image-2",
    size="1536x1024",
    quality="high",
    background="opaque",
    output_format="webp",
    output_compression=70,
    moderation="low",
    user="user-42",
)


def only(sim, method: str, path: str):
    return [r for r in sim.requests if r.method == method and r.path == path]


def test_async_generation_sends_every_field_and_returns_the_requested_picture(
    client, simulator, fake_time
):
    result = client.run(ImageRequest(**FULL), Flavour.tasks, fake_time)
    [create] = only(simulator, "POST", "/openai/images")
    assert create.json == {
        "prompt": FULL["prompt"],
        "model": "gpt-image-2",
        "size": "1536x1024",
        "quality": "high",
        "background": "opaque",
        "output_format": "webp",
        "output_compression": 70,
        "moderation": "low",
        "user": "user-42",
    }
    polls = only(simulator, "GET", "/openai/tasks")
    assert polls and all(p.query == {"taskId": result.task_id} for p in polls)
    assert all(r.headers["authorization"] == f"Bearer {TEST_KEY}" for r in simulator.requests)
    [image] = result.images
    assert image.format == "webp" and size_of(image.data) == (1536, 1024)
    assert result.usage.total_tokens > 0 and result.task_id


def test_compat_generation_is_schema_valid_json_with_nothing_extra(client, simulator, fake_time):
    result = client.run(ImageRequest(**FULL), Flavour.compat, fake_time)
    [call] = simulator.requests
    assert call.method == "POST" and call.path == "/openai/v1/images/generations"
    assert call.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert call.headers["content-type"] == "application/json"
    body = call.json
    validate(body, "CreateImageRequest")
    assert set(body) <= set(SCHEMAS["CreateImageRequest"]["properties"])
    assert "response_format" not in body
    assert {k: body[k] for k in FULL} == FULL
    assert size_of(result.images[0].data) == (1536, 1024) and result.task_id is None


def test_compat_sends_model_and_leaves_unset_options_out(client, simulator, fake_time):
    client.run(ImageRequest(prompt="a cat"), Flavour.compat, fake_time)
    body = simulator.requests[0].json
    assert body["model"] == "gpt-image-2"
    assert "output_compression" not in body and "user" not in body and "input_fidelity" not in body


def _multipart_instance(call) -> dict:
    instance: dict = {}
    for name, values in call.form.items():
        value = values[-1]
        instance[name] = int(value) if name in ("output_compression", "n") else value
    for name, parts in call.files.items():
        key = "image" if name == "image[]" else name
        blobs = ["<binary>" for _ in parts]
        instance[key] = blobs if name == "image[]" else blobs[0]
    return instance


def test_compat_edit_with_one_image_and_a_mask_is_multipart(client, simulator, fake_time):
    src = picture(1024, 1024, fmt="jpeg")
    req = ImageRequest(
        prompt="put a hat on it",
        size="1024x1024",
        quality="low",
        background="opaque",
        output_format="png",
        moderation="low",
        user="u",
        input_fidelity="high",
        images=[InputImage(src, "photo.jpeg")],
        mask=InputImage(mask(1024, 1024), "m.png"),
    )
    result = client.run(req, Flavour.compat, fake_time)
    [call] = simulator.requests
    assert call.path == "/openai/v1/images/edits"
    assert call.headers["content-type"].startswith("multipart/form-data")
    assert set(call.files) == {"image", "mask"}
    [(name, ctype, data)] = call.files["image"]
    assert (name, ctype, data) == ("photo.jpg", "image/jpeg", src)
    assert call.files["mask"][0][1:] == ("image/png", req.mask.data)
    assert "moderation" not in call.form and "response_format" not in call.form
    assert {k: v[-1] for k, v in call.form.items()} == {
        "prompt": "put a hat on it",
        "model": "gpt-image-2",
        "size": "1024x1024",
        "quality": "low",
        "background": "opaque",
        "output_format": "png",
        "user": "u",
        "input_fidelity": "high",
    }
    instance = _multipart_instance(call)
    assert set(instance) <= set(SCHEMAS["CreateImageEditRequest"]["properties"])
    validate(instance, "CreateImageEditRequest")
    assert size_of(result.images[0].data) == (1024, 1024)


def test_compat_edit_with_several_images_repeats_image_brackets(client, simulator, fake_time):
    imgs = [InputImage(picture(64, 64), "a.png"), InputImage(picture(32, 32, fmt="webp"), "b.webp")]
    client.run(
        ImageRequest(prompt="combine", images=imgs, output_format="jpeg", output_compression=50),
        Flavour.compat,
        fake_time,
    )
    [call] = simulator.requests
    assert set(call.files) == {"image[]"}
    assert [(n, c, d) for n, c, d in call.files["image[]"]] == [
        ("a.png", "image/png", imgs[0].data),
        ("b.webp", "image/webp", imgs[1].data),
    ]
    assert call.form["output_compression"] == ["50"]
    validate(_multipart_instance(call), "CreateImageEditRequest")


def test_async_edit_sends_full_data_urls(client, simulator, fake_time):
    src = picture(256, 256)
    req = ImageRequest(
        prompt="make it night",
        images=[InputImage(src)],
        mask=InputImage(mask(256, 256)),
        input_fidelity="low",
    )
    result = client.run(req, Flavour.tasks, fake_time)
    [create] = only(simulator, "POST", "/openai/images")
    assert create.json["image"] == "data:image/png;base64," + base64.b64encode(src).decode()
    assert (
        create.json["mask"] == "data:image/png;base64," + base64.b64encode(req.mask.data).decode()
    )
    assert create.json["input_fidelity"] == "low"
    assert size_of(result.images[0].data) == (1024, 1024)  # auto: a size the model makes


def test_async_edit_with_several_images_sends_a_list(client, simulator, fake_time):
    imgs = [InputImage(picture(64, 64)), InputImage(picture(64, 64, fmt="jpeg"))]
    client.run(ImageRequest(prompt="merge", images=imgs), Flavour.tasks, fake_time)
    [create] = only(simulator, "POST", "/openai/images")
    assert isinstance(create.json["image"], list) and len(create.json["image"]) == 2
    assert create.json["image"][1].startswith("data:image/jpeg;base64,/9j/")


def test_base_url_ending_in_v1_is_the_compat_root(make_client, simulator, fake_time):
    client = make_client(base_url=simulator.base_url + "/v1")
    client.run(ImageRequest(prompt="a cat"), Flavour.compat, fake_time)
    assert simulator.requests[0].path == "/v1/images/generations"


def test_progress_events_follow_the_job(client, fake_time):
    events = []
    client.run(ImageRequest(prompt="a cat"), Flavour.tasks, fake_time, events.append)
    stages = [e.stage for e in events]
    assert stages[:2] == ["sending", "submitted"] and stages[-1] == "decoding"
    assert "polling" in stages
    polling = [e for e in events if e.stage == "polling"]
    assert polling[-1].server_status == "completed" and polling[-1].deadline == 900.0
    assert events[1].task_id and all(e.task_id == events[1].task_id for e in events[1:])


def test_invalid_request_sends_nothing(client, simulator, fake_time):
    from app.core.api.models import ValidationError

    with pytest.raises(ValidationError):
        client.run(ImageRequest(prompt=" "), Flavour.tasks, fake_time)
    assert simulator.requests == []


def test_cancelled_before_sending_sends_nothing(client, simulator, fake_time):
    fake_time.cancel()
    with pytest.raises(Cancelled):
        client.run(ImageRequest(prompt="a cat"), Flavour.compat, fake_time)
    assert simulator.requests == []


def test_check_key_costs_nothing(make_client, simulator):
    make_client().check_key()
    with pytest.raises(ApiError) as info:
        make_client(api_key="sk-wrong").check_key()
    assert info.value.kind is ErrorKind.auth
    assert [r.path for r in simulator.requests] == ["/openai/tasks", "/openai/tasks"]
    assert simulator.created_tasks == 0 and simulator.compat_calls == 0


def test_a_pasted_compat_root_still_serves_both_flavours(make_client, simulator, fake_time):
    client = make_client(base_url=simulator.base_url + "/openai/v1/")
    client.run(ImageRequest(prompt="a cat"), Flavour.compat, fake_time)
    client.run(ImageRequest(prompt="a cat"), Flavour.tasks, fake_time)
    assert [r.path for r in simulator.requests] == [
        "/openai/v1/images/generations",
        "/openai/images",
        "/openai/tasks",
    ]
