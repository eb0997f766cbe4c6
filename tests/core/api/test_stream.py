"""Compat streaming from the client's side: the SSE decoder, previews as they arrive, the
completed event read like a plain answer, and every way a stream goes wrong, over real sockets."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import Flavour, ImageRequest, InputImage
from app.core.api.sse import Decoder, Event
from app.core.settings import Settings, StreamChoice
from app.simulator import Fault

GENERATIONS = "/openai/v1/images/generations"
EDITS = "/openai/v1/images/edits"


# --- the decoder -------------------------------------------------------------------------------


def _decode(chunks: list[bytes]) -> list[Event]:
    d = Decoder()
    out = [e for c in chunks for e in d.feed(c)]
    return out + d.close()


def test_decoder_reads_events_comments_and_multiline_data() -> None:
    text = (
        b": keep-alive\n"
        b'event: one\ndata: {"a":\ndata: 1}\n\n'
        b"data:no space\n\n"
        b"id: 7\nretry: 100\nevent: two\ndata: x\n\n"
        b"event: lonely\n\n"  # no data: no event
    )
    assert _decode([text]) == [
        Event("one", '{"a":\n1}'),
        Event("message", "no space"),
        Event("two", "x", "7"),
    ]


@pytest.mark.parametrize("eol", [b"\r\n", b"\r", b"\n"])
def test_decoder_takes_any_line_end_split_anywhere(eol: bytes) -> None:
    text = eol.join([b"\xef\xbb\xbfevent: a", b"data: 1", b"", b"event: b", b"data: 2", b"", b""])
    whole = _decode([text])
    assert whole == [Event("a", "1"), Event("b", "2")]
    for cut in range(1, len(text)):
        assert _decode([text[:cut], text[cut:]]) == whole, cut
    assert _decode([bytes([b]) for b in text]) == whole


def test_decoder_keeps_a_last_event_without_its_blank_line() -> None:
    assert _decode([b"event: a\ndata: 1"]) == [Event("a", "1")]


# --- over the wire -----------------------------------------------------------------------------


def _png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 90, 200)).save(out, "PNG")
    return out.getvalue()


def _previews(events) -> list[tuple[int, tuple[int, int]]]:
    return [(e.index, Image.open(io.BytesIO(e.data)).size) for e in events if e.stage == "preview"]


def test_generation_streams_previews_then_the_result(make_client, simulator, fake_time) -> None:
    client = make_client(partial_images=2)
    events = []
    result = client.run(
        ImageRequest(prompt="a fox", size="1536x1024"), Flavour.compat, fake_time, events.append
    )
    [call] = simulator.requests
    assert call.json["stream"] is True and call.json["partial_images"] == 2
    assert _previews(events) == [(0, (384, 256)), (1, (384, 256))]
    assert Image.open(io.BytesIO(result.images[0].data)).size == (1536, 1024)
    assert result.size == "1536x1024" and result.usage.output_tokens > 0
    assert result.output_format == "png" and result.created


def test_edit_streams_as_multipart_fields(make_client, simulator, fake_time) -> None:
    client = make_client(partial_images=2)
    events = []
    req = ImageRequest(prompt="night", images=[InputImage(_png())])
    result = client.run(req, Flavour.compat, fake_time, events.append)
    [call] = simulator.requests
    assert call.form["stream"] == ["true"] and call.form["partial_images"] == ["2"]
    assert len(_previews(events)) == 2
    assert Image.open(io.BytesIO(result.images[0].data)).size == (1536, 1024)


def test_without_partial_images_nothing_is_streamed(client, simulator, fake_time) -> None:
    client.run(ImageRequest(prompt="a fox"), Flavour.compat, fake_time)
    assert "stream" not in simulator.requests[0].json


def test_plain_json_answer_to_a_stream_is_used_once(make_client, simulator, fake_time) -> None:
    simulator.inject(Fault(stream="plain"), path=GENERATIONS)
    events = []
    result = make_client(partial_images=2).run(
        ImageRequest(prompt="a fox"), Flavour.compat, fake_time, events.append
    )
    assert result.images and _previews(events) == []
    assert simulator.compat_calls == 1 and len(simulator.requests) == 1


@pytest.mark.parametrize("path", [GENERATIONS, EDITS])
def test_refused_stream_is_sent_once_more_plainly_and_remembered(
    make_client, simulator, fake_time, tmp_path, path
) -> None:
    settings = Settings(tmp_path / "settings.json")
    choice = StreamChoice(settings, save=settings.save)
    client = make_client(**choice.client_options(simulator.base_url))
    simulator.inject(Fault(stream="refuse"), path=path)
    req = ImageRequest(prompt="a fox", images=[InputImage(_png())] if path == EDITS else [])
    result = client.run(req, Flavour.compat, fake_time)
    assert result.images
    first, second = simulator.requests
    assert (first.json or first.form)["stream"] in (True, ["true"])
    assert "stream" not in (second.json or second.form)
    assert simulator.compat_calls == 1  # the refusal did nothing; one picture made, one billed
    assert settings.no_stream_servers == [simulator.base_url]
    assert Settings.load(tmp_path / "settings.json")[0].no_stream_servers == [simulator.base_url]
    # Later jobs on that server go plain at once.
    assert choice.client_options(simulator.base_url + "/")["partial_images"] is None
    later = make_client(**choice.client_options(simulator.base_url))
    later.run(ImageRequest(prompt="a hen"), Flavour.compat, fake_time)
    assert "stream" not in simulator.requests[-1].json
    assert choice.client_options("http://elsewhere")["partial_images"] == 2


def test_stream_setting_off_asks_plainly(tmp_path) -> None:
    settings = Settings(tmp_path / "s.json")
    settings.stream_previews = False
    assert StreamChoice(settings).partial_images("http://x") is None


def test_cut_stream_is_maybe_billed_and_never_resent(make_client, simulator, fake_time) -> None:
    simulator.inject(Fault(stream="cut"), path=GENERATIONS)
    events = []
    with pytest.raises(ApiError) as info:
        make_client(partial_images=2).run(
            ImageRequest(prompt="a fox"), Flavour.compat, fake_time, events.append
        )
    assert info.value.kind is ErrorKind.maybe_billed
    assert "billed" in info.value.message
    assert len(_previews(events)) == 2  # the previews came, then the line went dead
    assert len(simulator.requests) == 1  # never sent again: the picture may be billed


def test_garbled_final_event_is_malformed_and_never_resent(
    make_client, simulator, fake_time
) -> None:
    simulator.inject(Fault(stream="garbled"), path=GENERATIONS)
    with pytest.raises(ApiError) as info:
        make_client(partial_images=1).run(ImageRequest(prompt="a fox"), Flavour.compat, fake_time)
    assert info.value.kind is ErrorKind.malformed
    assert "billed" in info.value.message and info.value.raw
    assert len(simulator.requests) == 1


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # A stream that ends cleanly without its picture.
        (
            "event: image_generation.partial_image\ndata: "
            '{"type":"image_generation.partial_image","b64_json":"!!","partial_image_index":0}\n\n',
            ErrorKind.malformed,
        ),
        # An error event from the server mid-stream.
        (
            'event: error\ndata: {"error":{"message":"The model broke.","type":"server_error"}}\n\n',
            ErrorKind.maybe_billed,
        ),
        (
            'event: error\ndata: {"error":{"message":"Your request was rejected by the safety '
            'system.","code":"moderation_blocked","type":"image_generation_user_error"}}\n\n',
            ErrorKind.refused,
        ),
    ],
)
def test_streams_without_a_picture_fail_plainly(
    make_client, simulator, fake_time, body, kind
) -> None:
    simulator.inject(
        Fault(status=200, body=body, headers={"content-type": "text/event-stream"}),
        path=GENERATIONS,
    )
    events = []
    with pytest.raises(ApiError) as info:
        make_client(partial_images=2).run(
            ImageRequest(prompt="a fox"), Flavour.compat, fake_time, events.append
        )
    assert info.value.kind is kind
    assert _previews(events) == []  # a preview whose base64 is damaged is skipped
    assert len(simulator.requests) == 1


def test_a_completed_picture_wins_over_a_later_error_event(
    make_client, simulator, fake_time
) -> None:
    import base64

    picture = base64.b64encode(_png((64, 64))).decode()
    import json

    done = {
        "type": "image_generation.completed",
        "b64_json": picture,
        "size": "64x64",
        "usage": {"total_tokens": 5},
    }
    body = (
        f"event: image_generation.completed\ndata: {json.dumps(done)}\n\n"
        'event: error\ndata: {"error":{"message":"late trouble"}}\n\n'
    )
    simulator.inject(
        Fault(status=200, body=body, headers={"content-type": "text/event-stream"}),
        path=GENERATIONS,
    )
    result = make_client(partial_images=2).run(
        ImageRequest(prompt="a fox"), Flavour.compat, fake_time
    )
    assert result.size == "64x64" and result.usage.total_tokens == 5  # paid for: kept


def test_only_an_http_400_counts_as_refusing_streams(make_client, simulator, fake_time) -> None:
    # A 200 carrying an error that names `stream` came after the call was taken: not re-sent.
    simulator.inject(
        Fault(status=200, body={"error": {"message": "Invalid 'stream' handling upstream."}}),
        path=GENERATIONS,
    )
    refused = []
    client = make_client(partial_images=2, on_stream_refused=refused.append)
    with pytest.raises(ApiError):
        client.run(ImageRequest(prompt="a fox"), Flavour.compat, fake_time)
    assert len(simulator.requests) == 1 and refused == []


@pytest.mark.parametrize(
    ("message", "refused"),
    [
        ("Unsupported parameter: 'stream'.", True),
        ("Unrecognized request argument supplied: partial_images", True),
        ("Stream mode is not available here.", True),
        ("The upstream provider rejected the request.", False),
        ("Invalid 'size'.", False),
    ],
)
def test_which_400s_refuse_streaming(message, refused) -> None:
    from app.core.api.sse import refuses_stream

    exc = ApiError(ErrorKind.invalid_request, "x", detail=message, status=400)
    assert refuses_stream(exc) is refused
