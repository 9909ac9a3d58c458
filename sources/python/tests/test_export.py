"""Wire tests: the script runs as a subprocess against a real local OTLP/HTTP receiver."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from itertools import pairwise

from opentelemetry.proto.logs.v1.logs_pb2 import SeverityNumber

from tests.conftest import SOURCE_ROOT, TOKEN, run_script, script_env
from tests.servers import OtlpReceiver, Reply

BURST = re.compile(r"^Quote feed checksum mismatch for symbol (AAPL|MSFT): expected \d+ got \d+$")


def test_logs_and_spans_reach_the_receiver_flushed_at_exit(receiver, gateway):
    proc = run_script(["--symbols", "AAPL,NOPE", "--iterations", "1", "--interval", "0"], script_env(receiver, gateway))
    assert proc.returncode == 0, proc.stderr
    # The console handler still prints stdlib logs next to the OTel handler.
    assert "Quote AAPL price=189.5" in proc.stderr
    assert "Failed to fetch quote for NOPE" in proc.stderr

    for req in receiver.accepted("/v1/logs") + receiver.accepted("/v1/traces"):
        assert req.headers["authorization"] == f"Bearer {TOKEN}"
        assert req.headers["content-type"] == "application/x-protobuf"

    logs = receiver.log_records()
    spans = receiver.spans()
    assert logs and spans, "nothing arrived: the exit flush did not run"
    resource = logs[0][0]
    assert resource["service.name"] == "freeride-fetch"
    assert resource["service.version"] == "0.1.0"
    assert resource["host.name"]
    assert spans[0][0]["service.name"] == "freeride-fetch"

    quote_spans = {span.attributes[0].value.string_value: span for _, span in spans if span.name == "fetch_quote"}
    cycle = next(span for _, span in spans if span.name == "fetch_cycle")
    assert set(quote_spans) == {"AAPL", "NOPE"}

    ok = next(rec for _, rec in logs if rec.body.string_value.startswith("Quote AAPL price=189.5"))
    assert ok.severity_number == SeverityNumber.SEVERITY_NUMBER_INFO
    assert ok.severity_text == "INFO"
    assert ok.trace_id == quote_spans["AAPL"].trace_id == cycle.trace_id
    assert ok.span_id == quote_spans["AAPL"].span_id

    failed = next(rec for _, rec in logs if rec.body.string_value.startswith("Failed to fetch quote for NOPE"))
    assert failed.severity_number == SeverityNumber.SEVERITY_NUMBER_ERROR
    assert failed.severity_text == "ERROR"
    assert failed.trace_id == quote_spans["NOPE"].trace_id
    assert failed.span_id == quote_spans["NOPE"].span_id
    attrs = {kv.key: kv.value for kv in failed.attributes}
    assert attrs["exception.type"].string_value == "GatewayError"
    assert "HTTP 404" in attrs["exception.stacktrace"].string_value
    assert attrs["code.file.path"].string_value.endswith("cli.py")
    assert quote_spans["NOPE"].status.code == 2  # STATUS_CODE_ERROR

    # The gateway call carried our trace (W3C traceparent).
    traceparents = [h.get("traceparent", "") for path, h in gateway.requests if path.endswith("/AAPL")]
    assert traceparents and traceparents[0].split("-")[1] == quote_spans["AAPL"].trace_id.hex()


def test_gateway_down_logs_an_error_per_symbol_with_the_exception(receiver):
    proc = run_script(["--symbols", "AAPL,MSFT", "--iterations", "1"], script_env(receiver, None))
    assert proc.returncode == 0, proc.stderr
    errors = [rec for _, rec in receiver.log_records() if rec.severity_number == SeverityNumber.SEVERITY_NUMBER_ERROR]
    assert sorted(rec.body.string_value.split()[5] for rec in errors) == ["AAPL", "MSFT"]
    for rec in errors:
        attrs = {kv.key: kv.value.string_value for kv in rec.attributes}
        assert attrs["exception.type"] == "GatewayError"
        assert "Connection" in attrs["exception.stacktrace"]
        assert len(rec.trace_id) == 16 and rec.trace_id != bytes(16)


def test_burst_errors_emit_a_new_pattern_inside_spans(receiver, gateway):
    proc = run_script(["--burst-errors", "50", "--iterations", "1"], script_env(receiver, gateway))
    assert proc.returncode == 0, proc.stderr
    burst = [rec for _, rec in receiver.log_records() if BURST.match(rec.body.string_value)]
    assert len(burst) == 50
    assert all(rec.severity_number == SeverityNumber.SEVERITY_NUMBER_ERROR for rec in burst)
    assert len({rec.body.string_value for rec in burst}) > 40, "numbers must vary"
    span_ids = {span.span_id for _, span in receiver.spans() if span.name == "verify_checksum"}
    assert len(span_ids) == 50
    assert {rec.span_id for rec in burst} == span_ids


def test_sigterm_flushes_before_exit(receiver, gateway):
    env = script_env(receiver, gateway)
    proc = subprocess.Popen(
        [sys.executable, "-m", "freeride_fetch", "--symbols", "AAPL", "--iterations", "0", "--interval", "30"],
        cwd=SOURCE_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not gateway.requests:
            time.sleep(0.05)
        assert gateway.requests, "the script never fetched"
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert proc.returncode == 0, stderr
    bodies = [rec.body.string_value for _, rec in receiver.log_records()]
    assert any(b.startswith("Quote AAPL price=") for b in bodies), bodies
    assert any("Received SIGTERM" in b for b in bodies), bodies
    assert any(b.startswith("freeride-fetch stopping after 1 cycle") for b in bodies), bodies


def test_503_with_retry_after_is_retried_then_delivered(gateway):
    def responder(path: str, n: int) -> Reply:
        if path == "/v1/logs" and n < 2:
            return Reply(503, {"Retry-After": "1"})
        return Reply(200)

    receiver = OtlpReceiver(token=TOKEN, responder=responder).start()
    try:
        proc = run_script(["--symbols", "AAPL", "--iterations", "1"], script_env(receiver, gateway))
        assert proc.returncode == 0, proc.stderr
        attempts = [r for r in receiver.requests if r.path == "/v1/logs"]
        assert [r.status for r in attempts] == [503, 503, 200]
        # Retry-After: 1 was honoured between attempts (not an immediate hammering).
        gaps = [b.at - a.at for a, b in pairwise(attempts)]
        assert all(gap >= 0.9 for gap in gaps), gaps
        assert any(rec.body.string_value.startswith("Quote AAPL") for _, rec in receiver.log_records())
    finally:
        receiver.stop()


def test_503_forever_gives_up_within_the_bound(gateway):
    receiver = OtlpReceiver(token=TOKEN, responder=lambda _p, _n: Reply(503, {"Retry-After": "1"})).start()
    try:
        env = script_env(receiver, gateway, FREERIDE_OTLP_TIMEOUT_S="3", FREERIDE_SHUTDOWN_TIMEOUT_S="8")
        proc = run_script(["--symbols", "AAPL", "--iterations", "1"], env)
        assert proc.returncode == 0, proc.stderr
        assert proc.elapsed < 15, proc.elapsed
        attempts = [r for r in receiver.requests if r.path == "/v1/logs"]
        assert 2 <= len(attempts) <= 6, len(attempts)
        assert "Failed to export logs batch" in proc.stderr
    finally:
        receiver.stop()


def test_unknown_token_is_not_retried_and_not_printed(receiver, gateway):
    env = script_env(receiver, gateway, OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer wrong-token-xyz")
    proc = run_script(["--symbols", "AAPL", "--iterations", "1"], env)
    assert proc.returncode == 0, proc.stderr
    assert [r.status for r in receiver.requests if r.path == "/v1/logs"] == [401]
    assert "401" in proc.stderr
    assert "wrong-token-xyz" not in proc.stderr and "wrong-token-xyz" not in proc.stdout


def test_ingest_down_exits_within_the_bound(gateway):
    class Down:  # nothing listens on the discard port: connection refused
        url = "http://127.0.0.1:9"

    env = script_env(Down(), gateway, FREERIDE_OTLP_TIMEOUT_S="2", FREERIDE_SHUTDOWN_TIMEOUT_S="6")
    proc = run_script(["--symbols", "AAPL", "--iterations", "1"], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.elapsed < 12, proc.elapsed
    assert "Quote AAPL price=189.5" in proc.stderr


def test_stale_quote_is_a_warning_with_quote_attributes(receiver, gateway):
    proc = run_script(["--symbols", "OLD", "--iterations", "1"], script_env(receiver, gateway))
    assert proc.returncode == 0, proc.stderr
    rec = next(rec for _, rec in receiver.log_records() if rec.body.string_value.startswith("Quote OLD"))
    assert rec.severity_number == SeverityNumber.SEVERITY_NUMBER_WARN
    assert rec.body.string_value == "Quote OLD price=12.0 currency=- provider=finnhub STALE age_ms=900000"
    attrs = {kv.key: kv.value for kv in rec.attributes}
    assert attrs["freeride.stale"].bool_value is True
    assert attrs["freeride.age_ms"].int_value == 900000
    assert attrs["freeride.provider"].string_value == "finnhub"
