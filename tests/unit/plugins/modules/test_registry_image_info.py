# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""registry_image_info: one digest read per tag, one label read per image."""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.modules import registry_image_info
from tests.unit.module_runner import run_module


class FakeClient:
    calls = []

    def __init__(self, registry, username=None, password=None, timeout=30):
        self.requests = 0

    def manifest_digest(self, repository, tag):
        FakeClient.calls.append(("digest", tag))
        return {"0.1.0": "sha256:aa", "git-1234567": "sha256:aa", "latest": "sha256:bb"}.get(tag)

    def labels(self, repository, digest):
        FakeClient.calls.append(("labels", digest))
        return {"org.opencontainers.image.revision": digest}


def test_tags_of_one_image_read_its_labels_once(monkeypatch):
    monkeypatch.setattr(registry_image_info._registry, "Client", FakeClient)
    FakeClient.calls = []
    failed, result = run_module(registry_image_info.main, {
        "registry": "127.0.0.1:5000", "repository": "domain/docc-sample",
        "tags": ["0.1.0", "git-1234567", "latest", "missing"], "labels": True})
    assert not failed and result["changed"] is False
    assert result["digests"] == {"0.1.0": "sha256:aa", "git-1234567": "sha256:aa", "latest": "sha256:bb",
                                 "missing": None}
    assert result["labels"]["git-1234567"] == result["labels"]["0.1.0"]
    assert [c for c in FakeClient.calls if c[0] == "labels"] == [("labels", "sha256:aa"), ("labels", "sha256:bb")]
    assert "missing" not in result["labels"]


def _registry_answering(routes):
    """A loopback registry: ``routes`` maps (method, path) to (status, JSON body or None)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            status, body = routes.get((self.command, self.path), (404, None))
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_HEAD = _answer  # noqa: N815 - http.server's names

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_repository_that_does_not_exist_is_not_read_as_absent_tags():
    """ECR does not create a repository on push, and answers NAME_UNKNOWN for one that does not
    exist (OCI distribution spec error codes; ECR's message). Reading that 404 as 'tag absent'
    sent the run on to a push that fails with 'name unknown' (issue 19, item 4)."""
    missing = {"errors": [{"code": "NAME_UNKNOWN", "message": "The repository with name 'domain/docc-sample' does not "
                           "exist in the registry with id '123456789012'"}]}
    server = _registry_answering({("GET", "/v2/domain/docc-sample/tags/list"): (404, missing)})
    try:
        failed, result = run_module(registry_image_info.main, {
            "registry": "127.0.0.1:%d" % server.server_address[1], "repository": "domain/docc-sample",
            "tags": ["0.2.0"]})
    finally:
        server.shutdown()
    assert not failed, result
    assert result["digests"] == {"0.2.0": None}
    assert result["repository_exists"] is False


def test_an_empty_repository_exists():
    empty = {"name": "domain/docc-sample", "tags": []}
    server = _registry_answering({("GET", "/v2/domain/docc-sample/tags/list"): (200, empty)})
    try:
        failed, result = run_module(registry_image_info.main, {
            "registry": "127.0.0.1:%d" % server.server_address[1], "repository": "domain/docc-sample",
            "tags": ["0.2.0"]})
    finally:
        server.shutdown()
    assert not failed and result["repository_exists"] is True
