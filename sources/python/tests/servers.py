"""Real local HTTP servers for the wire tests: an OTLP/HTTP receiver and a quote gateway.

Both listen on 127.0.0.1 on a free port, run in a daemon thread and are stopped by the
fixtures that start them.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Base:
    def __init__(self, handler_cls: type[BaseHTTPRequestHandler]) -> None:
        self._server = _Server(("127.0.0.1", 0), handler_cls)
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class OtlpReceiver(_Base):
    """Accepts OTLP/HTTP protobuf on /v1/logs and /v1/traces.

    ``responder(path, n)`` (n = 0-based count of earlier requests on that path) decides the
    reply, so a test can answer 503 + Retry-After a few times and then 200. A request whose
    bearer token is not ``token`` gets 401, like the real ingest.
    """

    def __init__(self, token: str = "test-token", responder: Callable[[str, int], Reply] | None = None) -> None:
        self.token = token
        self.responder = responder or (lambda _path, _n: Reply())
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                with receiver._lock:
                    n = sum(1 for r in receiver.requests if r.path == self.path)
                    if self.headers.get("Authorization") != f"Bearer {receiver.token}":
                        reply = Reply(401)
                    else:
                        reply = receiver.responder(self.path, n)
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, reply.status, time.monotonic())
                    )
                payload = b"" if reply.status == 200 else json.dumps({"message": "test receiver"}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/x-protobuf" if reply.status == 200 else "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        super().__init__(Handler)

    def accepted(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path and r.status == 200]

    def log_records(self) -> list[tuple[dict, object]]:
        """(resource attributes, LogRecord) for every accepted log record."""
        out = []
        for req in self.accepted("/v1/logs"):
            msg = ExportLogsServiceRequest()
            msg.ParseFromString(req.body)
            for rl in msg.resource_logs:
                res = attributes(rl.resource.attributes)
                for sl in rl.scope_logs:
                    out.extend((res, rec) for rec in sl.log_records)
        return out

    def spans(self) -> list[tuple[dict, object]]:
        out = []
        for req in self.accepted("/v1/traces"):
            msg = ExportTraceServiceRequest()
            msg.ParseFromString(req.body)
            for rs in msg.resource_spans:
                res = attributes(rs.resource.attributes)
                for ss in rs.scope_spans:
                    out.extend((res, span) for span in ss.spans)
        return out


def any_value(value):
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    return getattr(value, kind) if kind else None


def attributes(kvs) -> dict:
    return {kv.key: any_value(kv.value) for kv in kvs}


class QuoteGateway(_Base):
    """A stand-in for apps/market-gateway: GET /v1/quotes/<symbol>.

    Known symbols answer 200 with a JSON quote; others 404. Records the request headers
    (to check trace propagation).
    """

    def __init__(self, prices: dict[str, float]) -> None:
        self.prices = prices
        self.requests: list[tuple[str, dict[str, str]]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:
                gateway.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                symbol = self.path.rsplit("/", 1)[-1]
                if self.path.startswith("/v1/quotes/") and symbol in gateway.prices:
                    # The Quote of libs/contracts; "OLD" is served stale from the cache.
                    stale = symbol == "OLD"
                    status, body = 200, {
                        "ageMs": 900000 if stale else 120,
                        "asOf": "2026-11-24T10:00:00.000Z",
                        "cached": stale,
                        "price": gateway.prices[symbol],
                        "provider": "finnhub",
                        "receivedAt": "2026-11-24T10:00:00.050Z",
                        "stale": stale,
                        "symbol": symbol,
                    }
                else:
                    status, body = 404, {"error": "unknown symbol"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        super().__init__(Handler)
