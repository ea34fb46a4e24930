"""The absolute URLs the server publishes (service description, /dataset) come from the
operator's ZDG_PUBLIC_URL, never from a client's Host header (issue 17, point 5)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.namespace import VOID

from tests.conftest import ServerProcess, start_api

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
PUBLIC = "https://kg.example.org/zdg"
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("published")
    server = start_api(str(tmp / "store"), tmp, {"ZDG_PUBLIC_URL": PUBLIC + "/"})
    yield server
    server.stop()


def _endpoints(body: str) -> set[str]:
    g = rdflib.Graph().parse(data=body, format="turtle")
    return {str(o) for o in g.objects(None, SD.endpoint)} | {str(o) for o in g.objects(None, VOID.sparqlEndpoint)}


@pytest.mark.parametrize("path", ["/sparql", "/dataset"])
@pytest.mark.parametrize("host", [None, "evil.example", "evil.example:9999"])
def test_the_configured_public_url_is_published_whatever_the_host_header(published: ServerProcess, path: str,
                                                                          host: str | None) -> None:
    headers = dict(TURTLE, **({"Host": host} if host else {}))
    r = httpx.get(published.url + path, headers=headers, timeout=60)
    assert r.status_code == 200, r.text[:300]
    endpoints = _endpoints(r.text)
    assert PUBLIC + "/sparql" in endpoints and all(e.startswith(PUBLIC + "/sparql") for e in endpoints)
    assert "evil.example" not in r.text and "127.0.0.1" not in r.text


def _raw_get(url: str, path: str, host: bytes) -> bytes:
    address = httpx.URL(url)
    with socket.create_connection((address.host, address.port), timeout=30) as sock:
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\nAccept: text/turtle\r\n"
                     b"Connection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("path", ["/sparql", "/dataset"])
@pytest.mark.parametrize("host", [b"evil.example/<script>", b"a b", b"evil.example:80@x", b"x\"><svg"])
def test_without_a_public_url_a_crafted_host_is_refused_not_copied(shared_api: ServerProcess, path: str,
                                                                    host: bytes) -> None:
    answer = _raw_get(shared_api.url, path, host)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert host not in answer


def test_without_a_public_url_a_plain_host_is_the_address_the_client_used(shared_api: ServerProcess) -> None:
    r = httpx.get(shared_api.url + "/sparql", headers=dict(TURTLE, Host="kg.internal:8000"), timeout=60)
    assert "http://kg.internal:8000/sparql" in _endpoints(r.text)


@pytest.mark.parametrize("value", ["kg.example.org", "ftp://kg.example.org", "https://kg.example.org/?x=1",
                                   "https://user@kg.example.org"])
def test_serve_refuses_a_public_url_that_is_not_one(tmp_path: Path, value: str) -> None:
    env = {**os.environ, "ZDG_PUBLIC_URL": value}
    done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--store", str(tmp_path / "s"), "--port", "1"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "ZDG_PUBLIC_URL must be an absolute http(s) URL" in done.stderr
    assert not (tmp_path / "s").exists()  # refused before anything was opened or built
