"""The one redactor: what reaches a log, the library or a bug report never holds a key."""

from __future__ import annotations

from app.core import redact


def test_known_key_is_removed_by_value():
    redact.add_secret("mykey-without-prefix-1234")
    assert "mykey-without" not in redact.redact("sent mykey-without-prefix-1234 to the server")


def test_shapes_are_removed_without_knowing_the_key():
    text = 'Authorization: Bearer abc.def-123 and {"authorization": "xyz987"} and sk-abcdef123456'
    out = redact.redact(text)
    assert "abc.def-123" not in out
    assert "xyz987" not in out
    assert "sk-abcdef123456" not in out
    assert out.count("[redacted]") == 3


def test_long_base64_is_shortened_and_text_is_capped():
    out = redact.redact("data " + "A" * 5000)
    assert "5000 characters of base64" in out
    assert len(redact.redact("x " * 5000, limit=100)) < 150
    assert len(redact.redact("x " * 5000, limit=None)) == 10000
