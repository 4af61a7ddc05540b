# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_registry against a real HTTP server on loopback speaking the registry's auth flows."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.docc.platform.plugins.module_utils import _registry

DIGEST = "sha256:" + "ab" * 32
USER, PASSWORD, TOKEN = "docc-ci", "dOcC-unit-Pa55w0rd", "docc-unit-token-7f3a"


def _handler(mode):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, headers=None, body=b""):
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            if self.path.startswith("/token?"):
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
                if auth != expected:
                    return self._send(401)
                assert "scope=repository%3Adomain%2Fdocc-sample%3Apull" in self.path
                return self._send(200, {"Content-Type": "application/json"}, json.dumps({"token": TOKEN}).encode())
            return self._send(404)

        def do_HEAD(self):
            auth = self.headers.get("Authorization", "")
            if mode == "basic":
                ok = auth == "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
                challenge = 'Basic realm="docc"'
            else:
                ok = auth == "Bearer " + TOKEN
                challenge = 'Bearer realm="http://%s:%d/token",service="docc-registry"' % self.server.server_address
            if not ok:
                return self._send(401, {"WWW-Authenticate": challenge})
            assert "application/vnd.oci.image.index.v1+json" in self.headers.get("Accept", "")
            if self.path == "/v2/domain/docc-sample/manifests/0.1.0":
                return self._send(200, {"Docker-Content-Digest": DIGEST})
            return self._send(404)

    return Handler


@pytest.fixture(params=["basic", "bearer"])
def registry(request):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(request.param))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_reads_the_digest_of_an_existing_tag(registry):
    client = _registry.Client(registry, USER, PASSWORD)
    assert client.manifest_digest("domain/docc-sample", "0.1.0") == DIGEST


def test_an_absent_tag_is_none(registry):
    assert _registry.Client(registry, USER, PASSWORD).manifest_digest("domain/docc-sample", "9.9.9") is None


def test_wrong_credentials_are_refused_without_echoing_them(registry):
    with pytest.raises(_registry.RegistryError) as err:
        _registry.Client(registry, USER, "wrong-Pa55").manifest_digest("domain/docc-sample", "0.1.0")
    assert err.value.status == 401
    assert "refused the credentials" in str(err.value)
    assert "wrong-Pa55" not in str(err.value)


def test_anonymous_access_is_refused_with_a_hint(registry):
    with pytest.raises(_registry.RegistryError, match="credentials are required"):
        _registry.Client(registry).manifest_digest("domain/docc-sample", "0.1.0")


def test_bearer_token_is_fetched_once_and_reused():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler("bearer"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = _registry.Client("127.0.0.1:%d" % server.server_address[1], USER, PASSWORD)
        client.manifest_digest("domain/docc-sample", "0.1.0")
        client.manifest_digest("domain/docc-sample", "9.9.9")
        # challenge + token + retry, then one request with the cached token
        assert client.requests == 4
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_registry_fails_clearly():
    with pytest.raises(_registry.RegistryError, match="cannot reach registry 127.0.0.1:9"):
        _registry.Client("127.0.0.1:9", timeout=2).manifest_digest("x", "y")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("127.0.0.1:5000/domain/docc-sample:0.1.0", ("127.0.0.1:5000", "domain/docc-sample", "0.1.0")),
        ("ghcr.io/org/app", ("ghcr.io", "org/app", "latest")),
        ("domain/docc-sample:1", (_registry.DOCKER_HUB, "domain/docc-sample", "1")),
        ("nginx", (_registry.DOCKER_HUB, "library/nginx", "latest")),
        ("localhost/app:2", ("localhost", "app", "2")),
    ],
)
def test_split_reference(reference, expected):
    assert _registry.split_reference(reference) == expected


def test_loopback_registries_use_plain_http():
    assert _registry.base_url("127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert _registry.base_url("ghcr.io") == "https://ghcr.io"
