"""Configuration read from the environment, in one place.

Secrets (the OTLP bearer token, the gateway token) are never part of ``repr`` or logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_GATEWAY_URL = "http://127.0.0.1:3001"
DEFAULT_QUOTE_PATH = "/v1/quotes/{symbol}"
DEFAULT_OTLP_ENDPOINT = "http://127.0.0.1:4318"
DEFAULT_SERVICE_NAME = "freeride-fetch"


class ConfigError(ValueError):
    """Raised with every bad variable named, one per line as ``KEY: reason``."""


@dataclass(frozen=True)
class Config:
    gateway_url: str
    quote_path: str
    gateway_timeout_s: float
    gateway_token: str | None = field(repr=False)
    otlp_endpoint: str
    otlp_logs_endpoint: str
    otlp_traces_endpoint: str
    otlp_timeout_s: float
    shutdown_timeout_s: float
    service_name: str

    def quote_url(self, symbol: str) -> str:
        from urllib.parse import quote

        return self.gateway_url.rstrip("/") + self.quote_path.replace("{symbol}", quote(symbol, safe=""))


def redact_url(url: str) -> str:
    """The URL without user:password@ and without the query string, for logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _float(env: Mapping[str, str], key: str, default: float, errors: list[str]) -> float:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        errors.append(f"{key}: not a number")
        return default
    if value <= 0:
        errors.append(f"{key}: must be > 0")
    return value


def _url(env: Mapping[str, str], key: str, default: str, errors: list[str]) -> str:
    value = (env.get(key) or default).strip()
    if not (value.startswith("http://") or value.startswith("https://")):
        errors.append(f"{key}: must be an http(s) URL")
    return value


def _signal_endpoint(env: Mapping[str, str], key: str, base: str, path: str, errors: list[str]) -> str:
    # Per the OTel spec, a signal-specific endpoint is used as is; the generic one gets /v1/<signal>.
    if env.get(key):
        return _url(env, key, "", errors)
    return base.rstrip("/") + path


def load_config(env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    errors: list[str] = []
    quote_path = env.get("FREERIDE_GATEWAY_QUOTE_PATH") or DEFAULT_QUOTE_PATH
    if "{symbol}" not in quote_path or not quote_path.startswith("/"):
        errors.append("FREERIDE_GATEWAY_QUOTE_PATH: must start with / and contain {symbol}")
    otlp = _url(env, "OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_OTLP_ENDPOINT, errors)
    config = Config(
        gateway_url=_url(env, "FREERIDE_GATEWAY_URL", DEFAULT_GATEWAY_URL, errors),
        quote_path=quote_path,
        gateway_timeout_s=_float(env, "FREERIDE_GATEWAY_TIMEOUT_S", 5.0, errors),
        gateway_token=env.get("FREERIDE_GATEWAY_TOKEN") or None,
        otlp_endpoint=otlp,
        otlp_logs_endpoint=_signal_endpoint(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", otlp, "/v1/logs", errors),
        otlp_traces_endpoint=_signal_endpoint(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", otlp, "/v1/traces", errors),
        otlp_timeout_s=_float(env, "FREERIDE_OTLP_TIMEOUT_S", 10.0, errors),
        shutdown_timeout_s=_float(env, "FREERIDE_SHUTDOWN_TIMEOUT_S", 15.0, errors),
        service_name=(env.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME).strip(),
    )
    if errors:
        raise ConfigError("\n".join(errors))
    return config
