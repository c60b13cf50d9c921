"""``posdesk-sandbox``: run the sandbox POS server until Ctrl+C.

Prints one JSON line when ready, so scripts and other processes can start it with port 0 and
read where it listens and which demo client to use.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import UTC, datetime
from types import FrameType

from posdesk.sandbox.faults import ERROR_KINDS, FaultConfig
from posdesk.sandbox.graphql_api import API_MODES
from posdesk.sandbox.seed import REFERENCE_DATE, live_reference
from posdesk.sandbox.server import SandboxServer

SEEDS = ("demo", "large", "none")


def reference_date(text: str) -> datetime:
    """``--reference-date``: ``today`` is the live reference (data up to the current minute),
    ``YYYY-MM-DD`` that day at 00:00 UTC (data end with the day before)."""
    if text == "today":
        return live_reference()
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not 'today' or YYYY-MM-DD: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posdesk-sandbox",
        description="A local Kensium POS server (GraphQL + OpenID Connect) with demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 picks a free one)")
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument(
        "--seed", choices=SEEDS, default="demo", help="data set for an empty database"
    )
    parser.add_argument(
        "--reference-date",
        type=reference_date,
        default=REFERENCE_DATE,
        metavar="{today,YYYY-MM-DD}",
        help="where a new seed's generated sales end: 'today' runs them up to now (a live "
        "demo); a date ends them the day before (default: "
        f"{REFERENCE_DATE.date().isoformat()}, fixed so scripts get the same data every day). An "
        "existing --db file keeps the data it was seeded with",
    )
    parser.add_argument(
        "--api",
        choices=API_MODES,
        default="extended",
        help="extended: with the sandbox extensions (search, sale filters, viewer, ...); "
        "documented: only what the vendor documents",
    )
    parser.add_argument(
        "--token-lifetime", type=int, default=3600, metavar="S", help="access token seconds"
    )
    faults = parser.add_argument_group("faults (for reliability tests)")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="fixed delay per request")
    faults.add_argument("--jitter-ms", type=float, default=0.0, help="extra random delay, max")
    faults.add_argument(
        "--error-rate", type=float, default=0.0, help="fraction of requests that fail"
    )
    faults.add_argument(
        "--error-kind", choices=ERROR_KINDS, default="500", help="how a failed request looks"
    )
    faults.add_argument(
        "--drop-rate",
        type=float,
        default=0.0,
        help="fraction of mutations whose connection drops after they committed",
    )
    faults.add_argument(
        "--drop-next-mutations", type=int, default=0, metavar="N", help="drop the next N"
    )
    faults.add_argument(
        "--commit-delay-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="hold each mutation this long before it commits (it commits even if the client "
        "gave up)",
    )
    faults.add_argument(
        "--commit-delay-jitter-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="extra random commit delay, max",
    )
    faults.add_argument(
        "--fault-paths",
        default="/graphql",
        help="comma-separated paths latency/errors apply to (e.g. /graphql,/token)",
    )
    faults.add_argument("--fault-seed", type=int, default=0, help="seed for fault decisions")
    return parser


def faults_from_args(args: argparse.Namespace) -> FaultConfig:
    for name in ("error_rate", "drop_rate"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            raise SystemExit(f"posdesk-sandbox: --{name.replace('_', '-')} must be in [0, 1]")
    return FaultConfig(
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        error_rate=args.error_rate,
        error_kind=args.error_kind,
        drop_rate=args.drop_rate,
        drop_next_mutations=args.drop_next_mutations,
        commit_delay_ms=args.commit_delay_ms,
        commit_delay_jitter_ms=args.commit_delay_jitter_ms,
        paths=tuple(p.strip() for p in args.fault_paths.split(",") if p.strip()),
        seed=args.fault_seed,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    server = SandboxServer(
        db_path=args.db,
        seed=None if args.seed == "none" else args.seed,
        host=args.host,
        port=args.port,
        token_lifetime=args.token_lifetime,
        faults=faults_from_args(args),
        api=args.api,
        reference=args.reference_date,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        info = server.start()
    except OSError as error:
        print(
            f"posdesk-sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr
        )
        return 1
    try:
        ready = {
            "graphql_url": info.graphql_url,
            "issuer": info.issuer,
            "client_id": info.client_id,
            "client_secret": info.client_secret,
        }
        print(json.dumps(ready), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
