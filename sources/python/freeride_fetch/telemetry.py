"""OpenTelemetry set-up for freeride_fetch: logs and traces over OTLP/HTTP (protobuf).

* One :class:`LoggerProvider` (BatchLogRecordProcessor + OTLPLogExporter) and one
  :class:`TracerProvider` (BatchSpanProcessor + OTLPSpanExporter), sharing one resource.
* The root logger gets two handlers side by side: a console handler and the OTel
  ``LoggingHandler``. Nothing calls ``logging.basicConfig`` after that, so stdlib logs keep
  reaching the console and the ingest (the classic "auto-instrumentation swallowed my logs"
  failure: opentelemetry-python #2594, #4329).
* Records emitted inside a span carry its trace_id/span_id (the handler reads the current
  context).
* :meth:`Telemetry.shutdown` force-flushes, then shuts down both providers, within a deadline.
  It runs from ``atexit`` and from the SIGTERM/SIGINT path of the CLI, so buffered logs are not
  lost at exit (opentelemetry-python/js "shutdown does not flush" complaints).
* The exporters retry 429/502/503/504 and connection errors with exponential backoff, honour
  ``Retry-After``, and give up after ``otlp_timeout_s`` per batch (bounded).
* The bearer token comes from ``OTEL_EXPORTER_OTLP_HEADERS`` and is never logged.
"""

from __future__ import annotations

import atexit
import logging
import socket
import sys
import threading
import time

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from freeride_fetch import __version__
from freeride_fetch.config import Config

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s [trace_id=%(otelTraceID)s span_id=%(otelSpanID)s] %(message)s"


class _ConsoleFormatter(logging.Formatter):
    """Console format with the current trace/span ids.

    The ids are added for formatting only and removed again, so they never become exported
    attributes of the shared LogRecord (the OTel handler reads the ids from the context).
    """

    def format(self, record: logging.LogRecord) -> str:
        ctx = trace.get_current_span().get_span_context()
        record.otelTraceID = format(ctx.trace_id, "032x") if ctx.is_valid else "0"
        record.otelSpanID = format(ctx.span_id, "016x") if ctx.is_valid else "0"
        try:
            return super().format(record)
        finally:
            del record.otelTraceID
            del record.otelSpanID


class _NotFromOtel(logging.Filter):
    """Keeps the SDK's own diagnostics (export failures, retries) on the console only.

    Shipping "export failed" through the pipeline that is failing would loop and hide the
    failure; the console keeps it visible.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "opentelemetry" or record.name.startswith("opentelemetry."))


_config_fns_wrapped = False
_kept_handlers: list[logging.Handler] = []


def _keep_handler_across_logging_config(handler: logging.Handler) -> None:
    """Keeps the OTel handler on the root logger when code later calls ``logging.basicConfig``
    (``force=True``), ``dictConfig`` or ``fileConfig``, which would otherwise remove it and
    silently stop the export of stdlib logs (opentelemetry-python #2594, #4329)."""
    global _config_fns_wrapped
    _kept_handlers.append(handler)
    if _config_fns_wrapped:
        return
    _config_fns_wrapped = True
    import logging.config

    def wrap(fn):
        def wrapper(*args, **kwargs):
            root = logging.getLogger()
            kept = [h for h in _kept_handlers if h in root.handlers]
            for h in kept:
                root.removeHandler(h)
            try:
                return fn(*args, **kwargs)
            finally:
                for h in kept:
                    root.addHandler(h)

        wrapper.__wrapped__ = fn
        return wrapper

    logging.basicConfig = wrap(logging.basicConfig)
    logging.config.dictConfig = wrap(logging.config.dictConfig)
    logging.config.fileConfig = wrap(logging.config.fileConfig)


def build_resource(config: Config) -> Resource:
    return Resource.create(
        {
            "service.name": config.service_name,
            "service.version": __version__,
            "service.namespace": "freeride",
            "host.name": socket.gethostname(),
            "telemetry.sdk.language": "python",
        }
    )


class Telemetry:
    """Owns the providers and the root-logger handlers; idempotent shutdown."""

    def __init__(self, config: Config, level: int = logging.INFO) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._shut = False
        self.resource = build_resource(config)

        self.tracer_provider = TracerProvider(resource=self.resource, shutdown_on_exit=False)
        self.tracer_provider.add_span_processor(
            BatchSpanProcessor(
                OTLPSpanExporter(
                    endpoint=config.otlp_traces_endpoint,
                    timeout=config.otlp_timeout_s,
                    compression=Compression.Gzip,
                )
            )
        )
        self.logger_provider = LoggerProvider(resource=self.resource, shutdown_on_exit=False)
        self.logger_provider.add_log_record_processor(
            BatchLogRecordProcessor(
                OTLPLogExporter(
                    endpoint=config.otlp_logs_endpoint,
                    timeout=config.otlp_timeout_s,
                    compression=Compression.Gzip,
                ),
                max_queue_size=8192,
            )
        )
        # Global so that libraries using trace.get_tracer() join our traces.
        trace.set_tracer_provider(self.tracer_provider)
        self.tracer = self.tracer_provider.get_tracer("freeride_fetch", __version__)

        root = logging.getLogger()
        root.setLevel(level)
        # Under `opentelemetry-instrument` (logging auto-instrumentation on) an SDK handler is
        # already attached to another provider: every record would be exported twice.
        foreign = [h for h in root.handlers if type(h).__module__.startswith("opentelemetry.")]
        for handler in foreign:
            root.removeHandler(handler)
        self.console_handler = logging.StreamHandler(sys.stderr)
        self.console_handler.setFormatter(_ConsoleFormatter(CONSOLE_FORMAT))
        # No formatter on the OTel handler: the body is the plain message, which is what
        # template mining downstream wants; time, level, logger and trace ids are fields.
        self.otel_handler = LoggingHandler(level=logging.NOTSET, logger_provider=self.logger_provider, log_code_attributes=True)
        self.otel_handler.addFilter(_NotFromOtel())
        root.addHandler(self.console_handler)
        root.addHandler(self.otel_handler)
        _keep_handler_across_logging_config(self.otel_handler)
        atexit.register(self.shutdown)
        if foreign:
            logging.getLogger("freeride_fetch").warning(
                "Removed %d OpenTelemetry logging handler(s) installed before freeride_fetch "
                "(auto-instrumentation?) to avoid exporting every record twice",
                len(foreign),
            )

    def flush(self) -> None:
        self.tracer_provider.force_flush()
        self.logger_provider.force_flush()

    def shutdown(self) -> None:
        """Flush and shut down both providers within ``shutdown_timeout_s``. Safe to call twice."""
        with self._lock:
            if self._shut:
                return
            self._shut = True
        deadline = time.monotonic() + self._config.shutdown_timeout_s
        root = logging.getLogger()

        def run(fn) -> None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            # force_flush of the batch processors blocks while the exporter retries; run it in a
            # worker so a dead ingest cannot hold the process past the deadline.
            worker = threading.Thread(target=fn, daemon=True)
            worker.start()
            worker.join(remaining)

        # Spans first (they end before the logs that describe them are flushed), then logs.
        run(self.tracer_provider.force_flush)
        run(self.logger_provider.force_flush)
        root.removeHandler(self.otel_handler)
        if self.otel_handler in _kept_handlers:
            _kept_handlers.remove(self.otel_handler)
        run(self.tracer_provider.shutdown)
        run(self.logger_provider.shutdown)
