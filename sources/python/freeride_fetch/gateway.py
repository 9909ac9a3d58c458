"""Client for the Freeride market-data gateway (``GET <gateway>/v1/quotes/{symbol}``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from opentelemetry import propagate

from freeride_fetch.config import Config, redact_url


class GatewayError(Exception):
    """A quote could not be fetched; carries the symbol, URL and HTTP status (if any)."""

    def __init__(self, message: str, *, symbol: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.symbol = symbol
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Quote:
    symbol: str
    price: float
    currency: str | None = None
    provider: str | None = None
    timestamp: str | None = None
    stale: bool = False
    age_ms: int | None = None
    cached: bool = False


_PRICE_KEYS = ("price", "last", "lastPrice", "c", "close")


def parse_quote(symbol: str, payload: Any) -> Quote:
    """Reads a quote from the gateway's JSON (the ``Quote`` of libs/contracts: symbol, price,
    provider, asOf, ageMs, stale, cached), tolerating ``{...}``, ``{"quote": {...}}`` and
    ``{"data": {...}}`` envelopes and the usual price field names."""
    body: Any = payload
    for envelope in ("quote", "data"):
        if isinstance(body, Mapping) and isinstance(body.get(envelope), Mapping):
            body = body[envelope]
    if isinstance(body, list) and body and isinstance(body[0], Mapping):
        body = body[0]
    if not isinstance(body, Mapping):
        raise ValueError("quote payload is not a JSON object")
    for key in _PRICE_KEYS:
        raw = body.get(key)
        if raw is None:
            continue
        try:
            price = float(raw)
        except (TypeError, ValueError):
            continue
        return Quote(
            symbol=str(body.get("symbol") or symbol),
            price=price,
            currency=body.get("currency"),
            provider=body.get("provider") or body.get("source"),
            timestamp=str(body.get("asOf") or body.get("timestamp") or body.get("time") or "") or None,
            stale=body.get("stale") is True,
            age_ms=int(body["ageMs"]) if isinstance(body.get("ageMs"), (int, float)) else None,
            cached=body.get("cached") is True,
        )
    raise ValueError(f"no price field ({', '.join(_PRICE_KEYS)}) in quote payload")


def _reason(error: BaseException) -> str:
    """A short, stable reason ("ConnectionError: [Errno 111] Connection refused") for the log
    body; the full chain stays in the exception attributes."""
    inner: BaseException = error
    seen = set()
    while inner.__context__ is not None and id(inner) not in seen:
        seen.add(id(inner))
        inner = inner.__context__
    detail = getattr(inner, "strerror", None)
    if isinstance(inner, OSError) and inner.errno is not None and detail:
        return f"{type(error).__name__}: [Errno {inner.errno}] {detail}"
    return type(error).__name__


class GatewayClient:
    def __init__(self, config: Config, session: requests.Session | None = None) -> None:
        self._config = config
        self._session = session or requests.Session()

    def get_quote(self, symbol: str) -> Quote:
        url = self._config.quote_url(symbol)
        shown = redact_url(url)  # what messages and attributes carry
        headers = {"Accept": "application/json"}
        if self._config.gateway_token:
            headers["Authorization"] = f"Bearer {self._config.gateway_token}"
        propagate.inject(headers)  # traceparent: the gateway continues our trace
        try:
            response = self._session.get(url, headers=headers, timeout=self._config.gateway_timeout_s)
        except requests.Timeout as error:
            raise GatewayError(
                f"GET quote {symbol} from {shown} timed out after {self._config.gateway_timeout_s}s",
                symbol=symbol,
                url=shown,
            ) from error
        except requests.RequestException as error:
            raise GatewayError(
                f"GET quote {symbol} from {shown} failed: {_reason(error)}", symbol=symbol, url=shown
            ) from error
        if response.status_code != 200:
            raise GatewayError(
                f"GET quote {symbol} from {shown} answered HTTP {response.status_code}",
                symbol=symbol,
                url=shown,
                status=response.status_code,
            )
        try:
            return parse_quote(symbol, response.json())
        except ValueError as error:
            raise GatewayError(
                f"GET quote {symbol} from {shown}: bad payload: {error}", symbol=symbol, url=shown, status=200
            ) from error

    def close(self) -> None:
        self._session.close()
