# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image_push_plan: which tags a push sends, and which published tags it would move."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.docc.platform.plugins.filter.image_push_plan import BUILD_KEY_LABEL, image_push_plan

LOCAL = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64


def test_absent_tags_are_pushed_and_matching_tags_are_up_to_date():
    plan = image_push_plan(["0.2.0", "latest"], LOCAL, {"latest": LOCAL}, {}, "key-1", ["0.2.0"])
    assert plan == {"push": ["0.2.0"], "up_to_date": ["latest"], "published": [], "moved": []}


def test_an_immutable_tag_of_other_sources_is_reported_as_moved_not_pushed():
    labels = {"0.2.0": {BUILD_KEY_LABEL: "key-0", "org.opencontainers.image.revision": "abc123"}}
    plan = image_push_plan(["0.2.0"], LOCAL, {"0.2.0": OTHER}, labels, "key-1", ["0.2.0"])
    assert plan["push"] == [] and plan["moved"] == [
        {"tag": "0.2.0", "registry_digest": OTHER, "local_digest": LOCAL, "registry_revision": "abc123"}]


def test_a_rebuild_of_the_same_sources_is_already_published():
    # A rebuild can differ in digest (another builder) while the build key (the sources) is the same.
    labels = {"0.2.0": {BUILD_KEY_LABEL: "key-1"}}
    plan = image_push_plan(["0.2.0"], LOCAL, {"0.2.0": OTHER}, labels, "key-1", ["0.2.0"])
    assert plan["published"] == ["0.2.0"] and plan["push"] == [] and plan["moved"] == []


def test_a_mutable_tag_of_other_sources_moves_by_design():
    plan = image_push_plan(["latest"], LOCAL, {"latest": OTHER}, {}, "key-1", ["0.2.0"])
    assert plan["push"] == ["latest"] and plan["moved"] == []


def test_tags_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="expects a list of tags"):
        image_push_plan("0.2.0", LOCAL, {}, {}, "key-1", [])
