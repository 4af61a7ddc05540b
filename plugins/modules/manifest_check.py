#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: manifest_check
short_description: Validate rendered Kubernetes manifests offline against a Kubernetes version
version_added: 0.3.0
description:
  - Validates every YAML document under O(paths) strictly against the OpenAPI schemas of Kubernetes
    O(kubernetes_version) (the kubernetes-validate package ships them, 1.25 to 1.37; no network).
  - An API the version no longer serves (a C(policy/v1beta1) PodDisruptionBudget on 1.25 or later) is a
    problem. A custom resource is validated against the C(openAPIV3Schema) of its CustomResourceDefinition
    when the render (or O(crds)) holds it; a kind with no schema at all is a problem, never skipped.
  - With O(api_versions=true) it also returns what the version serves, as C(helm template --api-versions)
    takes it.
author:
  - docc.platform maintainers (@docc-platform)
options:
  paths:
    description: Files or directories of YAML manifests; directories are walked.
    type: list
    elements: path
    default: []
  crds:
    description: Files or directories with more CustomResourceDefinitions to validate custom resources against.
    type: list
    elements: path
    default: []
  kubernetes_version:
    description: Kubernetes minor version, for example C(1.36).
    type: str
    required: true
  api_versions:
    description: Return RV(served), the generally available API versions and kinds of the version.
    type: bool
    default: false
  include_beta:
    description:
      - With O(api_versions), include the alpha and beta API versions the version serves (what an upgrade
        compares, since an object of an API version the target no longer serves stops working).
    type: bool
    default: false
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
"""

EXAMPLES = r"""
- name: Validate the GitOps render for the cluster's version
  docc.platform.manifest_check:
    paths: ["{{ render_dir }}"]
    kubernetes_version: "1.36"
"""

RETURN = r"""
documents:
  description: How many documents were checked.
  returned: always
  type: int
  sample: 21
kinds:
  description: Documents per kind.
  returned: always
  type: dict
  sample: {"Deployment": 2, "Service": 2}
problems:
  description: One line per document that does not validate (the module fails when there is one).
  returned: always
  type: list
  elements: str
  sample: ["traefik.yaml: policy/v1beta1 PodDisruptionBudget traefik: Kubernetes 1.36 serves no policy/v1beta1 ..."]
served:
  description: C(group/version) and C(group/version/Kind) the version serves (generally available only).
  returned: with O(api_versions=true)
  type: list
  elements: str
  sample: ["apps/v1", "apps/v1/Deployment", "policy/v1", "policy/v1/PodDisruptionBudget", "v1", "v1/Service"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.docc.platform.plugins.module_utils import _manifests
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", default=[]),
            crds=dict(type="list", elements="path", default=[]),
            kubernetes_version=dict(type="str", required=True),
            api_versions=dict(type="bool", default=False),
            include_beta=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    with fail_on_error(module, "manifest check"):
        documents = _manifests.load(p["paths"])
        extra = [doc for dummy, doc in _manifests.load(p["crds"])]
        problems, kinds = _manifests.check(documents, p["kubernetes_version"], extra)
        result = dict(changed=False, documents=len(documents), kinds=kinds, problems=problems)
        if p["api_versions"]:
            result["served"] = _manifests.served(p["kubernetes_version"], ga_only=not p["include_beta"])
    if problems:
        module.fail_json(msg="%d of %d manifest(s) do not validate against Kubernetes %s: %s" % (
            len(problems), len(documents), p["kubernetes_version"], "; ".join(problems[:10])), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
