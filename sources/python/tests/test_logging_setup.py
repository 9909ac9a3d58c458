"""In-process checks of the logging wiring against a real local receiver."""

from __future__ import annotations

import io
import logging

from freeride_fetch.config import load_config
from freeride_fetch.telemetry import Telemetry
from tests.conftest import TOKEN


def test_stdlib_logs_survive_basic_config_and_reach_console_and_ingest(receiver, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", f"Authorization=Bearer {TOKEN}")
    root = logging.getLogger()
    before = list(root.handlers)
    telemetry = Telemetry(load_config({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "FREERIDE_SHUTDOWN_TIMEOUT_S": "10"}))
    try:
        console = io.StringIO()
        telemetry.console_handler.setStream(console)
        logging.getLogger("thirdparty.lib").warning("before basicConfig %d", 1)
        # A library (or an auto-instrumentation bootstrap) reconfigures logging with force=True.
        logging.basicConfig(level=logging.INFO, force=True, stream=io.StringIO())
        assert telemetry.otel_handler in root.handlers
        logging.getLogger("thirdparty.lib").error("after basicConfig %d", 2)
        with telemetry.tracer.start_as_current_span("unit") as span:
            logging.getLogger("freeride_fetch").info("inside a span")
            trace_id = span.get_span_context().trace_id
    finally:
        telemetry.shutdown()
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)

    records = {rec.body.string_value: rec for _, rec in receiver.log_records()}
    assert "before basicConfig 1" in records
    assert "after basicConfig 2" in records
    assert records["after basicConfig 2"].severity_text == "ERROR"
    assert int.from_bytes(records["inside a span"].trace_id, "big") == trace_id
    assert "before basicConfig 1" in console.getvalue()
    assert not any(k == "otelTraceID" for _, rec in receiver.log_records() for k in (kv.key for kv in rec.attributes))


def test_a_pre_installed_otel_handler_is_replaced_not_duplicated(receiver, monkeypatch):
    from opentelemetry.instrumentation.logging.handler import LoggingHandler
    from opentelemetry.sdk._logs import LoggerProvider

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", f"Authorization=Bearer {TOKEN}")
    root = logging.getLogger()
    before = list(root.handlers)
    auto = LoggingHandler(logger_provider=LoggerProvider(shutdown_on_exit=False))  # what auto-instrumentation adds
    root.addHandler(auto)
    telemetry = Telemetry(load_config({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}))
    try:
        assert auto not in root.handlers
        assert [h for h in root.handlers if isinstance(h, LoggingHandler)] == [telemetry.otel_handler]
    finally:
        telemetry.shutdown()
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
    assert any("Removed 1 OpenTelemetry logging handler" in rec.body.string_value for _, rec in receiver.log_records())
