import pytest

from freeride_fetch.config import ConfigError, load_config, redact_url
from freeride_fetch.gateway import parse_quote


def test_defaults():
    config = load_config({})
    assert config.gateway_url == "http://127.0.0.1:3001"
    assert config.quote_url("AAPL") == "http://127.0.0.1:3001/v1/quotes/AAPL"
    assert config.otlp_logs_endpoint == "http://127.0.0.1:4318/v1/logs"
    assert config.otlp_traces_endpoint == "http://127.0.0.1:4318/v1/traces"
    assert config.service_name == "freeride-fetch"


def test_signal_endpoints_and_path_template():
    config = load_config(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://ingest:4318/",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://tracing:4318/custom",
            "FREERIDE_GATEWAY_URL": "http://gw:3001/",
            "FREERIDE_GATEWAY_QUOTE_PATH": "/api/quote/{symbol}/latest",
            "OTEL_SERVICE_NAME": "fetch-eu",
        }
    )
    assert config.otlp_logs_endpoint == "http://ingest:4318/v1/logs"
    assert config.otlp_traces_endpoint == "http://tracing:4318/custom"
    assert config.quote_url("BRK.B") == "http://gw:3001/api/quote/BRK.B/latest"
    assert config.quote_url("A/B") == "http://gw:3001/api/quote/A%2FB/latest"
    assert config.service_name == "fetch-eu"


def test_every_bad_variable_is_reported_together():
    with pytest.raises(ConfigError) as info:
        load_config(
            {
                "FREERIDE_GATEWAY_URL": "gw:3001",
                "FREERIDE_GATEWAY_QUOTE_PATH": "/quotes",
                "FREERIDE_GATEWAY_TIMEOUT_S": "soon",
                "FREERIDE_OTLP_TIMEOUT_S": "-1",
            }
        )
    lines = str(info.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "FREERIDE_GATEWAY_QUOTE_PATH",
        "FREERIDE_GATEWAY_URL",
        "FREERIDE_GATEWAY_TIMEOUT_S",
        "FREERIDE_OTLP_TIMEOUT_S",
    ]


def test_token_not_in_repr():
    config = load_config({"FREERIDE_GATEWAY_TOKEN": "gw-secret"})
    assert "gw-secret" not in repr(config)


@pytest.mark.parametrize(
    "payload, price",
    [
        ({"symbol": "AAPL", "price": 189.5}, 189.5),
        ({"quote": {"symbol": "AAPL", "last": "190.01"}}, 190.01),
        ({"data": {"c": 12}}, 12.0),
        ([{"symbol": "AAPL", "close": 1.5}], 1.5),
    ],
)
def test_parse_quote_envelopes(payload, price):
    assert parse_quote("AAPL", payload).price == price


def test_parse_quote_without_price_fails():
    with pytest.raises(ValueError):
        parse_quote("AAPL", {"symbol": "AAPL"})


def test_parse_gateway_contract_quote():
    quote = parse_quote(
        "AAPL",
        {
            "ageMs": 120000,
            "asOf": "2026-11-24T10:00:00.000Z",
            "cached": True,
            "price": 189.5,
            "provider": "finnhub",
            "receivedAt": "2026-11-24T10:00:00.100Z",
            "stale": True,
            "symbol": "AAPL",
        },
    )
    assert (quote.price, quote.provider, quote.stale, quote.age_ms, quote.cached) == (189.5, "finnhub", True, 120000, True)
    assert quote.timestamp == "2026-11-24T10:00:00.000Z"


def test_redact_url_drops_credentials_and_query():
    assert redact_url("https://user:pw@ingest.example:4318/base?token=x") == "https://ingest.example:4318/base"
