"""The ``posdesk-sandbox`` command as a real subprocess: ready line, real requests, clean stop."""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from posdesk.sandbox.cli import build_parser, faults_from_args
from posdesk.sandbox.seed import REFERENCE_DATE

READY_KEYS = {"graphql_url", "issuer", "client_id", "client_secret"}


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"no ready line within {timeout} s")
    return process.stdout.readline()


@contextmanager
def sandbox_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    command = [sys.executable, "-m", "posdesk.sandbox", "--port", "0", *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            line = _read_line(process, 60)
            assert line, process.stderr.read() if process.stderr else "process ended"
            yield process, json.loads(line)
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)


def _token(ready: dict[str, Any]) -> str:
    meta = httpx.get(f"{ready['issuer']}/.well-known/openid-configuration").json()
    response = httpx.post(
        meta["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=(ready["client_id"], ready["client_secret"]),
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def test_prints_one_ready_line_serves_and_stops_cleanly_on_ctrl_c() -> None:
    with sandbox_process("--seed", "demo", "--token-lifetime", "120") as (process, ready):
        assert set(ready) == READY_KEYS
        assert ready["graphql_url"] == ready["issuer"] + "/graphql"
        assert ready["issuer"].startswith("http://127.0.0.1:")
        token = _token(ready)
        response = httpx.post(
            ready["graphql_url"],
            json={"query": "{ viewer { subject } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["data"]["viewer"]["subject"] == ready["client_id"]

        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, stderr
        assert stdout == "", "exactly one line on stdout"
        assert "Traceback" not in stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(ready["issuer"] + "/.well-known/openid-configuration", timeout=2)


def test_sigterm_also_stops_cleanly() -> None:
    with sandbox_process("--seed", "none") as (process, _ready):
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, stderr


def test_fault_flags_reach_the_server() -> None:
    with sandbox_process("--seed", "none", "--error-rate", "1", "--error-kind", "502") as (
        _process,
        ready,
    ):
        response = httpx.post(ready["graphql_url"], json={"query": "{ __typename }"})
        assert response.status_code == 502


def test_port_in_use_fails_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "posdesk.sandbox", "--port", port, "--seed", "none"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
    assert result.stdout == ""


def test_fault_options_parse_into_a_fault_config() -> None:
    args = build_parser().parse_args(
        [
            "--latency-ms=20",
            "--jitter-ms=5",
            "--drop-next-mutations=2",
            "--drop-rate=0.25",
            "--fault-paths=/graphql,/token",
            "--fault-seed=9",
            "--commit-delay-ms=400",
            "--commit-delay-jitter-ms=100",
        ]
    )
    config = faults_from_args(args)
    assert (config.commit_delay_ms, config.commit_delay_jitter_ms) == (400, 100)
    assert (config.latency_ms, config.jitter_ms, config.drop_rate) == (20, 5, 0.25)
    assert config.drop_next_mutations == 2
    assert config.paths == ("/graphql", "/token")
    assert config.seed == 9
    with pytest.raises(SystemExit):
        faults_from_args(build_parser().parse_args(["--error-rate=2"]))


def test_reference_date_defaults_to_the_fixed_date() -> None:
    assert build_parser().parse_args([]).reference_date == REFERENCE_DATE
    today = build_parser().parse_args(["--reference-date", "today"]).reference_date
    assert datetime.now(UTC) - timedelta(minutes=2) < today <= datetime.now(UTC)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--reference-date", "2025-02-30"])


def test_reference_date_reaches_the_seed() -> None:
    """Sales of ``--reference-date 2025-06-01`` end with May 31 in the stores' zones."""
    with sandbox_process("--reference-date", "2025-06-01") as (_process, ready):
        response = httpx.post(
            ready["graphql_url"],
            json={"query": "{ sale(newestFirst: true, first: 1) { results { saleDate } } }"},
            headers={"Authorization": f"Bearer {_token(ready)}"},
        )
    (newest,) = response.json()["data"]["sale"]["results"]
    sold = datetime.fromisoformat(newest["saleDate"])
    assert datetime(2025, 5, 31, tzinfo=UTC) < sold < datetime(2025, 6, 1, 6, tzinfo=UTC)
