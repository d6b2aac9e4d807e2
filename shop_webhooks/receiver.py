"""`python -m shop_webhooks.receiver --port 8025 --secret-file F --log var/shop-events.log`: a shop endpoint that
checks each event's Standard Webhooks signature and appends it, once per `webhook-id`, as a JSON line to the log.

The embedded stack runs it as the shop's stand-in; tests run it in-process (`running`), optionally answering 500
to the first attempts of each event to see the relay retry.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

log = logging.getLogger("shop_webhooks.receiver")
MAX_BODY = 1_000_000


@dataclass(frozen=True)
class ReceivedAttempt:
    """One request as the receiver saw it and what it answered."""

    event_id: str | None
    verified: bool
    status: int
    headers: dict[str, str]
    body: bytes


class ShopEventReceiver:
    """Verifies, de-duplicates and records events; thread-safe (the HTTP server serves requests in threads)."""

    def __init__(self, secret: str, log_path: Path | None = None, *, fail_first: int = 0) -> None:
        self._webhook = Webhook(secret)
        self.log_path = log_path
        self.fail_first = fail_first
        self.attempts: list[ReceivedAttempt] = []
        self.events: dict[str, dict[str, Any]] = {}  # accepted events by id, each once
        self._tries: Counter[str] = Counter()
        self._lock = threading.Lock()
        if log_path is not None and log_path.exists():
            # Events logged before a restart are not logged again when the relay repeats them.
            for line in log_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    event = json.loads(line)
                    self.events[event["id"]] = event

    def use_secret(self, secret: str) -> None:
        """Verify with this secret from now on (a test learns it only once its endpoint is registered)."""
        with self._lock:
            self._webhook = Webhook(secret)

    def handle(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """The status and sentence to answer one POST with."""
        lowered = {key.lower(): value for key, value in headers.items()}
        event_id = lowered.get("webhook-id")
        with self._lock:
            try:
                event = self._webhook.verify(body, lowered)
            except (WebhookVerificationError, ValueError) as error:
                self._record(event_id, False, 401, lowered, body)
                log.warning("shop event refused: bad signature", extra={"event_id": event_id, "error": str(error)})
                return 401, f"signature does not verify: {error}"
            assert event_id is not None  # verify() requires the header
            self._tries[event_id] += 1
            if self._tries[event_id] <= self.fail_first:
                self._record(event_id, True, 500, lowered, body)
                return 500, f"failing attempt {self._tries[event_id]} of {event_id} on purpose"
            self._record(event_id, True, 200, lowered, body)
            if event_id in self.events:
                return 200, "already received"
            self.events[event_id] = event
            if self.log_path is not None:
                line = json.dumps({**event, "received_at": datetime.now(UTC).isoformat()}, ensure_ascii=False)
                with self.log_path.open("a", encoding="utf-8") as file:
                    file.write(line + "\n")
            log.info("shop event received", extra={"event_id": event_id, "event_type": event.get("type")})
            return 200, "received"

    def _record(self, event_id: str | None, verified: bool, status: int, headers: dict[str, str], body: bytes) -> None:
        """Keep the attempt for tests and inspection."""
        self.attempts.append(ReceivedAttempt(event_id, verified, status, headers, body))

    def tries(self, event_id: str) -> int:
        """How many verified requests carried this event id."""
        with self._lock:
            return self._tries[event_id]


def _handler(receiver: ShopEventReceiver) -> type[BaseHTTPRequestHandler]:
    """An HTTP handler class bound to `receiver`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._answer(413, "body too large")
                return
            status, sentence = receiver.handle(self.rfile.read(length), dict(self.headers.items()))
            self._answer(status, sentence)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(200, "shop-event receiver up") if self.path == "/healthz" else self._answer(404, "not here")

        def _answer(self, status: int, sentence: str) -> None:
            body = json.dumps({"detail": sentence}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """One line per stored event is logged by the receiver; access lines are noise."""

    return Handler


@contextmanager
def running(receiver: ShopEventReceiver, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `receiver` in a thread; yields its URL."""
    server = ThreadingHTTPServer((host, port), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, name="shop-receiver", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/shop-events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, log like the other processes, stop cleanly on SIGINT/SIGTERM."""
    from core.logs import configure_logging
    from core.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m shop_webhooks.receiver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--secret-file", type=Path, required=True, help="holds the endpoint's whsec_ secret")
    parser.add_argument("--log", type=Path, default=Path("var/shop-events.log"), help="one JSON line per event")
    parser.add_argument("--fail-first", type=int, default=0, help="answer 500 to each event's first N attempts")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    receiver = ShopEventReceiver(args.secret_file.read_text().strip(), args.log, fail_first=args.fail_first)
    server = ThreadingHTTPServer((args.host, args.port), _handler(receiver))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: threading.Thread(target=server.shutdown).start())
    log.info("shop-event receiver listening", extra={"host": args.host, "port": args.port, "log": str(args.log)})
    server.serve_forever()
    server.server_close()
    log.info("shop-event receiver stopped")


if __name__ == "__main__":
    main()
