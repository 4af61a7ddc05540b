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
