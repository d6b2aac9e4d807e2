"""Command line: `python -m stripe_emulator --port 12111 [--state-file var/stripe-emulator.sqlite3] ...`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
from pathlib import Path

import uvicorn

from core.logs import configure_logging
from stripe_emulator.app import create_app
from stripe_emulator.engine import Emulator, StartupEndpoint
from stripe_emulator.settings import EmulatorSettings, setting_fields

log = logging.getLogger("stripe_emulator")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Server options plus one flag per setting (e.g. `--refund-pending-delay 0.5`)."""
    parser = argparse.ArgumentParser(prog="python -m stripe_emulator", description="A local Stripe for refund tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111, help="0 picks a free port (see --port-file).")
    parser.add_argument("--port-file", type=Path, help="Write the bound port here once listening.")
    parser.add_argument(
        "--state-file",
        type=Path,
        help="Keep state in this SQLite file (default: memory only); an old JSON one is migrated.",
    )
    parser.add_argument(
        "--verify-state", action="store_true", help="Tests only: after every save, compare the file with memory (slow)."
    )
    parser.add_argument(
        "--record-responses",
        type=Path,
        help="Tests only: append every /v1 answer (method, path, status, body) here as JSON lines.",
    )
    parser.add_argument(
        "--webhook-url", help="Register a webhook endpoint for this URL at start-up (reused if present)."
    )
    parser.add_argument("--webhook-events", default="*", help="Comma-separated event types for --webhook-url.")
    parser.add_argument("--webhook-secret", help="Use this whsec_ signing secret for --webhook-url.")
    parser.add_argument("--webhook-secret-file", type=Path, help="Write the --webhook-url signing secret here.")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--log-format", default="json", choices=("json", "text"))
    for spec in setting_fields():
        parser.add_argument(
            "--" + spec.name.replace("_", "-"),
            type=type(spec.default),
            default=spec.default,
            help=spec.metadata["help"],
        )
    return parser.parse_args(argv)


def build_emulator(args: argparse.Namespace) -> Emulator:
    """The emulator the options describe."""
    settings = EmulatorSettings()
    settings.update({spec.name: getattr(args, spec.name) for spec in setting_fields()})
    endpoint = None
    if args.webhook_url:
        events = [e.strip() for e in args.webhook_events.split(",") if e.strip()] or ["*"]
        endpoint = StartupEndpoint(args.webhook_url, events, args.webhook_secret, args.webhook_secret_file)
    emulator = Emulator(settings, state_file=args.state_file, startup_endpoint=endpoint, verify_state=args.verify_state)
    emulator.record_responses = args.record_responses
    return emulator


def main(argv: list[str] | None = None) -> None:
    """Bind, then serve until SIGINT/SIGTERM."""
    args = parse_args(argv)
    configure_logging(args.log_level, args.log_format)
    try:
        emulator = build_emulator(args)
    except ValueError as exc:
        raise SystemExit(f"stripe_emulator: {exc}") from exc
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on such sockets (else each answer waits ~40 ms).
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    if args.port_file:
        args.port_file.parent.mkdir(parents=True, exist_ok=True)
        args.port_file.write_text(str(port))
    log.info(
        "stripe emulator listening", extra={"url": f"http://{args.host}:{port}", "state_file": str(args.state_file)}
    )
    config = uvicorn.Config(
        create_app(emulator), log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


if __name__ == "__main__":
    main()
