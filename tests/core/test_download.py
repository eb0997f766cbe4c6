"""app.core.download against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.core.download import DownloadError, download

BODY = b"\x89PNG fake picture bytes" * 100


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/cat.png":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/moved.png":
            self.send_response(302)
            self.send_header("Location", "/cat.png")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_a_picture_is_downloaded_following_redirects(server: str) -> None:
    assert download(f"{server}/cat.png", "cat.png") == BODY
    assert download(f"{server}/moved.png", "moved.png") == BODY


def test_an_error_answer_names_the_status(server: str) -> None:
    with pytest.raises(DownloadError) as info:
        download(f"{server}/gone.png", "gone.png")
    assert info.value.reason == "status" and info.value.status == 404
    assert "gone.png" in info.value.message and "404" in info.value.message


def test_a_body_over_the_limit_is_refused(server: str) -> None:
    with pytest.raises(DownloadError) as info:
        download(f"{server}/cat.png", "cat.png", limit=100)
    assert info.value.reason == "too_large" and info.value.limit == 100


def test_only_http_and_https(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.png").write_bytes(BODY)
    for url in (f"file://{tmp_path}/a.png", "ftp://example.org/a.png", "data:image/png,xx"):
        with pytest.raises(DownloadError) as info:
            download(url, "a.png")
        assert info.value.reason == "scheme"


def test_a_closed_port_is_a_connection_failure() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError) as info:
        download(f"http://127.0.0.1:{port}/a.png", "a.png", timeout=5)
    assert info.value.reason == "failed" and info.value.detail == "ConnectError"
