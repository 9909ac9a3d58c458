from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import OtlpReceiver, QuoteGateway

SOURCE_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-s3cr3t-do-not-print"


@pytest.fixture
def receiver():
    server = OtlpReceiver(token=TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def gateway():
    server = QuoteGateway({"AAPL": 189.5, "MSFT": 411.25, "OLD": 12.0}).start()
    yield server
    server.stop()


def script_env(receiver: OtlpReceiver, gateway: QuoteGateway | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and not k.startswith("FREERIDE_")}
    env.update(
        {
            "PYTHONPATH": str(SOURCE_ROOT),
            "PYTHONUNBUFFERED": "1",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
            "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {TOKEN}",
            # Batches are only sent on schedule after 60 s: what arrives was flushed at exit.
            "OTEL_BLRP_SCHEDULE_DELAY": "60000",
            "OTEL_BSP_SCHEDULE_DELAY": "60000",
            "FREERIDE_GATEWAY_URL": gateway.url if gateway else "http://127.0.0.1:9",
            "FREERIDE_GATEWAY_TIMEOUT_S": "2",
            "FREERIDE_OTLP_TIMEOUT_S": "5",
            "FREERIDE_SHUTDOWN_TIMEOUT_S": "10",
        }
    )
    env.update(extra)
    return env


def run_script(args: list[str], env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "freeride_fetch", *args],
        cwd=SOURCE_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    proc.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    assert TOKEN not in proc.stdout and TOKEN not in proc.stderr, "the OTLP token must never be printed"
    return proc
