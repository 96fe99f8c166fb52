"""A threaded HTTP server on 127.0.0.1 with scripted replies, for tests and benchmarks.

    with LocalServer() as server:
        server.route("/feed", Reply(500), Reply(200, body=b"<rss .../>"))  # 500, then 200s
        server.static("/cached", body, etag='"v1"')       # answers 304 to If-None-Match
        server.route("/slow", Reply(200, body=b"x", stall=5))              # read timeout
        client.get(server.url("/feed"))
        assert server.hits("/feed") == 2

Replies listed for a path are used in order, the last one repeating. A handler
(a function taking a Request and returning a Reply) may stand in for a Reply.
Waits (delay, stall, drip) end early when the server stops, so no test hangs.
"""
from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: Mapping[str, str]  # names lower-cased


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    stall: float = 0.0  # seconds between the headers and the body
    drip: float = 0.0  # seconds between body chunks
    chunk: int = 64 * 1024
    gzip: bool = False  # compress the body and say so in Content-Encoding
    raw_body: bytes | None = None  # bytes sent as they are (e.g. a ready-made gzip bomb)
    send_length: bool = True  # False: no Content-Length; the body ends when the connection does


Handler = Callable[[Request], Reply]


class LocalServer:
    """Start with `with LocalServer() as server:`; every route answers on server.url(path)."""

    def __init__(self, host: str = "127.0.0.1"):
        self._routes: dict[str, list[Reply | Handler]] = {}
        self._served: dict[str, int] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    # -- life cycle -------------------------------------------------------
    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting --------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *replies: Reply | Handler) -> None:
        with self._lock:
            self._routes[path] = list(replies) or [Reply(204)]
            self._served[path] = 0

    def static(self, path: str, body: bytes, *, etag: str | None = None,
               last_modified: str | None = None, headers: Mapping[str, str] | None = None,
               gzip_body: bool = False) -> None:
        """Serve `body`, answering 304 when the client's validators match."""
        self.route(path, conditional_handler(body, etag=etag, last_modified=last_modified,
                                             headers=headers, gzip_body=gzip_body))

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if urlsplit(r.path).path == path
                       or r.path == path)

    # -- used by the handler ---------------------------------------------
    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            path = request.path if request.path in self._routes else urlsplit(request.path).path
            script = self._routes.get(path)
            if script is None:
                return Reply(404, b"not found")
            index = min(self._served[path], len(script) - 1)
            self._served[path] += 1
            step = script[index]
        return step(request) if callable(step) else step


def conditional_handler(body: bytes, *, etag: str | None = None,
                        last_modified: str | None = None,
                        headers: Mapping[str, str] | None = None,
                        gzip_body: bool = False) -> Handler:
    """A handler serving `body` with validators, and 304 when they match."""
    last_modified = last_modified or formatdate(0, usegmt=True)
    base_headers = {"Last-Modified": last_modified, **(headers or {})}
    if etag:
        base_headers["ETag"] = etag

    def handle(request: Request) -> Reply:
        sent_etag = request.headers.get("if-none-match")
        sent_date = request.headers.get("if-modified-since")
        if (etag and sent_etag == etag) or (not sent_etag and sent_date == last_modified):
            return Reply(304, headers=base_headers)
        return Reply(200, body, headers=base_headers, gzip=gzip_body)

    return handle


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = server._reply_for(Request("GET", self.path, headers))
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up; that is the test

        def _send(self, reply: Reply) -> None:
            if reply.delay and server.stopping.wait(reply.delay):
                return
            body = reply.raw_body if reply.raw_body is not None else reply.body
            headers = dict(reply.headers)
            if reply.gzip:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self.send_response(reply.status)
            if not reply.send_length:
                headers["Connection"] = "close"
                self.close_connection = True
            elif reply.status != 304 and "Content-Length" not in headers:
                headers["Content-Length"] = str(len(body))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.status == 304:
                return
            if reply.stall and server.stopping.wait(reply.stall):
                return
            self._write_body(body, reply)

        def _write_body(self, body: bytes, reply: Reply) -> None:
            for start in range(0, len(body), reply.chunk):
                self.wfile.write(body[start : start + reply.chunk])
                self.wfile.flush()
                if reply.drip and server.stopping.wait(reply.drip):
                    return

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

    return _Handler
