"""freeride_fetch: fetch quotes from the Freeride market-data gateway and log them.

Logs go through the standard :mod:`logging` module; the OpenTelemetry SDK exports them
(and one span per fetch cycle and per symbol) to the Freeride ingest over OTLP/HTTP.
"""

__version__ = "0.1.0"
