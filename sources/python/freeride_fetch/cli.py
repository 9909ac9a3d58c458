"""``python -m freeride_fetch``: fetch quotes for a list of symbols and log them."""

from __future__ import annotations

import argparse
import logging
import random
import signal
import threading

from opentelemetry.trace import Status, StatusCode

from freeride_fetch import __version__
from freeride_fetch.config import ConfigError, load_config, redact_url
from freeride_fetch.gateway import GatewayClient, GatewayError
from freeride_fetch.telemetry import Telemetry

log = logging.getLogger("freeride_fetch")

# The error pattern used by --burst-errors. It is deliberately not emitted anywhere else, so an
# anomaly detector sees a NEW template: "Quote feed checksum mismatch for symbol <*>: expected <*> got <*>".
BURST_TEMPLATE = "Quote feed checksum mismatch for symbol %s: expected %d got %d"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m freeride_fetch", description=__doc__)
    parser.add_argument("--symbols", default="AAPL,MSFT", help="comma-separated symbols (default AAPL,MSFT)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between fetch cycles (default 5)")
    parser.add_argument("--iterations", type=int, default=0, help="fetch cycles to run, 0 = forever (default 0)")
    parser.add_argument(
        "--burst-errors",
        type=int,
        default=0,
        metavar="N",
        help="emit N error lines of a new error pattern (quote feed checksum mismatch) inside spans, then fetch",
    )
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--version", action="version", version=f"freeride-fetch {__version__}")
    args = parser.parse_args(argv)
    args.symbols = [s.strip().upper() for s in args.symbols.split(",") if s.strip()]
    if not args.symbols:
        parser.error("--symbols: at least one symbol")
    if args.iterations < 0 or args.burst_errors < 0 or args.interval < 0:
        parser.error("--iterations, --burst-errors and --interval must be >= 0")
    return args


def fetch_cycle(telemetry: Telemetry, client: GatewayClient, symbols: list[str], iteration: int) -> int:
    """One span for the cycle, one child span per symbol. Returns the number of failures."""
    failures = 0
    with telemetry.tracer.start_as_current_span(
        "fetch_cycle", attributes={"freeride.iteration": iteration, "freeride.symbols": symbols}
    ) as cycle:
        for symbol in symbols:
            with telemetry.tracer.start_as_current_span(
                "fetch_quote", attributes={"freeride.symbol": symbol}, record_exception=False, set_status_on_exception=False
            ) as span:
                try:
                    quote = client.get_quote(symbol)
                except GatewayError as error:
                    failures += 1
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, str(error)))
                    if error.status is not None:
                        span.set_attribute("http.response.status_code", error.status)
                    log.exception(
                        "Failed to fetch quote for %s from gateway: %s",
                        symbol,
                        error,
                        extra={"freeride.symbol": symbol, "url.full": error.url},
                    )
                    continue
                span.set_attribute("freeride.price", quote.price)
                span.set_attribute("freeride.stale", quote.stale)
                extra = {
                    "freeride.symbol": quote.symbol,
                    "freeride.price": quote.price,
                    "freeride.provider": quote.provider or "",
                    "freeride.stale": quote.stale,
                    "freeride.cached": quote.cached,
                }
                if quote.age_ms is not None:
                    extra["freeride.age_ms"] = quote.age_ms
                log.log(
                    logging.WARNING if quote.stale else logging.INFO,
                    "Quote %s price=%s currency=%s provider=%s%s",
                    quote.symbol,
                    quote.price,
                    quote.currency or "-",
                    quote.provider or "-",
                    f" STALE age_ms={quote.age_ms}" if quote.stale else "",
                    extra=extra,
                )
        cycle.set_attribute("freeride.failures", failures)
        if failures:
            cycle.set_status(Status(StatusCode.ERROR, f"{failures}/{len(symbols)} quotes failed"))
    return failures


def burst_errors(telemetry: Telemetry, symbols: list[str], count: int, rng: random.Random) -> None:
    """Emits ``count`` error lines of one new pattern, with varying numbers, inside spans."""
    with telemetry.tracer.start_as_current_span("quote_feed_verify", attributes={"freeride.burst": count}) as parent:
        for i in range(count):
            symbol = symbols[i % len(symbols)]
            expected = rng.randint(1000, 99999)
            got = (expected + rng.randint(1, 9999)) % 100000
            with telemetry.tracer.start_as_current_span("verify_checksum", attributes={"freeride.symbol": symbol}) as span:
                span.set_status(Status(StatusCode.ERROR, "checksum mismatch"))
                log.error(BURST_TEMPLATE, symbol, expected, got, extra={"freeride.symbol": symbol})
            if (i + 1) % 1000 == 0:
                telemetry.flush()  # keeps big bursts inside the batch queue bound
        parent.set_status(Status(StatusCode.ERROR, f"{count} checksum mismatches"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config()
    except ConfigError as error:
        print(f"freeride_fetch: invalid configuration:\n{error}", flush=True)
        return 2

    telemetry = Telemetry(config, level=getattr(logging, args.log_level))
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        if stop.is_set():  # second signal: leave now (atexit still flushes)
            raise SystemExit(128 + signum)
        log.warning("Received %s, finishing the current cycle and flushing telemetry", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    client = GatewayClient(config)
    log.info(
        "freeride-fetch %s starting: symbols=%s interval=%ss iterations=%s gateway=%s otlp=%s",
        __version__,
        ",".join(args.symbols),
        args.interval,
        args.iterations or "forever",
        redact_url(config.gateway_url),
        redact_url(config.otlp_endpoint),
    )
    try:
        if args.burst_errors:
            burst_errors(telemetry, args.symbols, args.burst_errors, random.Random())
        iteration = 0
        while not stop.is_set():
            iteration += 1
            fetch_cycle(telemetry, client, args.symbols, iteration)
            if args.iterations and iteration >= args.iterations:
                break
            stop.wait(args.interval)
        log.info("freeride-fetch stopping after %d cycle(s)", iteration)
    finally:
        client.close()
        telemetry.shutdown()
    return 0
