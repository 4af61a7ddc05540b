# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter image_push_plan: which tags to push, and which published tags a push would move."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

BUILD_KEY_LABEL = "platform.docc.build-key"


def image_push_plan(tags, local_digest, remote_digests, remote_labels, build_key, immutable):
    """{push, up_to_date, published, moved} for ``tags``.

    - up_to_date: the registry's tag already points at the local image;
    - published: it points at another image built from the same sources (same build key):
      nothing to push, and the tag does not move;
    - moved: an immutable tag that points at an image of other sources: pushing would move it;
    - push: every other tag (absent, or mutable and different).
    """
    if not isinstance(tags, list):
        raise AnsibleFilterError("image_push_plan expects a list of tags, got %r" % (tags,))
    plan = {"push": [], "up_to_date": [], "published": [], "moved": []}
    for tag in tags:
        remote = (remote_digests or {}).get(tag)
        labels = (remote_labels or {}).get(tag) or {}
        if not remote:
            plan["push"].append(tag)
        elif local_digest and remote == local_digest:
            plan["up_to_date"].append(tag)
        elif labels.get(BUILD_KEY_LABEL) == build_key:
            plan["published"].append(tag)
        elif tag in immutable:
            plan["moved"].append({"tag": tag, "registry_digest": remote, "local_digest": local_digest,
                                  "registry_revision": labels.get("org.opencontainers.image.revision", "unknown")})
        else:
            plan["push"].append(tag)
    return plan


class FilterModule:
    def filters(self):
        return {"image_push_plan": image_push_plan}
