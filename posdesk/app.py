"""Composition root: argv, QApplication, qasync loop, wiring, shutdown."""

from __future__ import annotations

import argparse
import sys

from posdesk import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posdesk", description="Desktop back office for Kensium POS / Fusion POS."
    )
    parser.add_argument("--version", action="version", version=f"posdesk {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
