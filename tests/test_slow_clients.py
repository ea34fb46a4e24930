"""Slow clients cannot lock the others out (issue 17, point 2): connections that send a request
line and then nothing are closed after ``ZDG_HEADER_TIMEOUT``, and ``/healthz`` answers meanwhile.
A real server on loopback; the slow connections are raw sockets, bounded in number and time."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from tests.conftest import start_api

SLOW = 300


def test_connections_that_never_finish_their_headers_are_closed(tmp_path: Path) -> None:
    server = start_api(str(tmp_path / "store"), tmp_path, {"ZDG_HEADER_TIMEOUT": "2"})
    port = int(server.url.rsplit(":", 1)[1])
    sockets = []
    try:
        for _ in range(SLOW):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
            sockets.append(s)
        started = time.monotonic()
        r = httpx.get(server.url + "/healthz", timeout=10)
        assert r.status_code == 200 and time.monotonic() - started < 2.0  # others still get in
        time.sleep(3.5)
        closed = 0
        for s in sockets:
            s.settimeout(2)
            try:
                closed += s.recv(1) == b""
            except (ConnectionResetError, TimeoutError, socket.timeout):
                closed += 0
        assert closed == SLOW  # the server let go of every one of them
        assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        # A client that completes its request in time is not cut off.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            time.sleep(1)
            s.sendall(b"Connection: close\r\n\r\n")
            assert s.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for s in sockets:
            s.close()
        server.stop()
