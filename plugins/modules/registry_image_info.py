#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: registry_image_info
short_description: Read the manifest digest of image tags from an OCI registry
version_added: 0.1.0
description:
  - Asks a registry (Docker Registry HTTP API v2 / OCI distribution) for the digest of
    each tag of a repository, without pulling anything.
  - Anonymous access, HTTP basic auth and the bearer-token challenge flow are supported.
    That covers Docker Hub, GHCR, ECR and a local registry with htpasswd.
  - The container_image role uses it to push only tags whose digest differs from the
    local image, so an unchanged image causes no push.
author:
  - docc.platform maintainers (@docc-platform)
options:
  registry:
    description: Registry host and optional port. Loopback registries are reached over plain HTTP.
    type: str
    required: true
  repository:
    description: Repository path in the registry.
    type: str
    required: true
  tags:
    description: Tags to look up.
    type: list
    elements: str
    required: true
  username:
    description: User for basic auth or for the token endpoint.
    type: str
  password:
    description: Password or token for O(username).
    type: str
  labels:
    description: Also read the image labels of each tag that exists (its config blob).
    type: bool
    default: false
  timeout:
    description: Seconds per HTTP request.
    type: int
    default: 30
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
"""

EXAMPLES = r"""
- name: Which tags of domain/docc-sample does the registry hold?
  docc.platform.registry_image_info:
    registry: 127.0.0.1:5000
    repository: domain/docc-sample
    tags: ["0.1.0", "latest"]
    username: docc-ci
    password: "{{ registry_password }}"
  register: __remote
"""

RETURN = r"""
digests:
  description: Digest per tag; C(null) for a tag the registry does not have.
  returned: success
  type: dict
  sample: {"0.1.0": "sha256:4f1c...", "latest": null}
labels:
  description: Image labels per existing tag (with O(labels=true)).
  returned: when O(labels=true)
  type: dict
  sample: {"0.1.0": {"org.opencontainers.image.version": "0.1.0"}}
repository_exists:
  description:
    - Whether the registry knows the repository. False when no tag was found and the registry answers
      C(NAME_UNKNOWN) for the repository itself; ECR then refuses a push ("name unknown") until the
      repository is created.
  returned: success
  type: bool
  sample: true
requests:
  description: HTTP requests made, including token requests.
  returned: success
  type: int
  sample: 3
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.docc.platform.plugins.module_utils import _registry


def main():
    module = AnsibleModule(
        argument_spec=dict(
            registry=dict(type="str", required=True),
            repository=dict(type="str", required=True),
            tags=dict(type="list", elements="str", required=True),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            labels=dict(type="bool", default=False),
            timeout=dict(type="int", default=30),
        ),
        required_together=[("username", "password")],
        supports_check_mode=True,
    )
    p = module.params
    client = _registry.Client(p["registry"], p["username"], p["password"], timeout=p["timeout"])
    digests, labels, by_digest = {}, {}, {}
    try:
        for tag in p["tags"]:
            digest = digests[tag] = client.manifest_digest(p["repository"], tag)
            if p["labels"] and digest:
                # Tags of one image share its labels: read them once per digest.
                if digest not in by_digest:
                    by_digest[digest] = client.labels(p["repository"], digest)
                labels[tag] = by_digest[digest]
        # No tag found: one more read tells an empty repository from one that does not exist.
        exists = True if any(digests.values()) else client.repository_exists(p["repository"])
    except _registry.RegistryError as exc:
        module.fail_json(
            msg="Reading %s/%s from the registry failed: %s. Check registry and the credentials (username, password)."
                % (p["registry"], p["repository"], exc.msg),
            status=exc.status)
    result = dict(changed=False, digests=digests, repository_exists=exists, requests=client.requests)
    if p["labels"]:
        result["labels"] = labels
    module.exit_json(**result)


if __name__ == "__main__":
    main()
