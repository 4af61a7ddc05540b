# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Static tier: rendered manifests are valid for every supported Kubernetes version, and the
ingress renders do what the edge mode says.

Each document is validated strictly for 1.31 to 1.37 by the collection's own checker
(module_utils/_manifests.py, the one manifest_check uses at run time): built-in kinds against
the OpenAPI of each version (an API a version no longer serves fails), custom resources against
the CRDs in the render. Then, per edge mode (tests/static/render.yml renders both):
  ingress/        Terraform edge: no Service of type LoadBalancer at all
  ingress-nginx/  controller edge: one LoadBalancer Service, the controller's, with the allowlist
and the controller's namespace carries the load balancer controller's readiness-gate label.
  python tests/static/check_manifests.py DIR
"""

from __future__ import annotations

import os
import sys

from ansible_collections.docc.platform.plugins.module_utils import _manifests

VERSIONS = ["1.%d" % minor for minor in range(31, 38)]
READINESS_GATE = "elbv2.k8s.aws/pod-readiness-gate-inject"


def edge_problems(root):
    problems = []
    for sub, allowed in (("ingress", 0), ("ingress-nginx", 1)):
        docs = [d for dummy, d in _manifests.load([os.path.join(root, sub)])]
        balancers = [d for d in docs if d.get("kind") == "Service" and d["spec"].get("type") == "LoadBalancer"]
        if len(balancers) != allowed:
            problems.append("%s: %d Service(s) of type LoadBalancer, expected %d: %s" % (
                sub, len(balancers), allowed, [b["metadata"]["name"] for b in balancers]))
        for balancer in balancers:
            if not balancer["spec"].get("loadBalancerSourceRanges"):
                problems.append("%s: Service %s has no loadBalancerSourceRanges" % (sub, balancer["metadata"]["name"]))
        namespaces = [d for d in docs if d.get("kind") == "Namespace"]
        if not namespaces or (namespaces[0]["metadata"].get("labels") or {}).get(READINESS_GATE) != "enabled":
            problems.append("%s: the controller's namespace lacks %s: enabled" % (sub, READINESS_GATE))
    return problems


def main(root):
    docs = _manifests.load([root])
    if not docs:
        print("no manifests under %s" % root)
        return 1
    problems, counts = [], {}
    for version in VERSIONS:
        found, counts = _manifests.check(docs, version)
        problems += ["(%s) %s" % (version, p) for p in found]
    problems += edge_problems(root)
    for line in problems:
        print(line)
    print("%d documents (%s), Kubernetes %s to %s strict, edge modes checked: %d problem(s)" % (
        len(docs), ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items())), VERSIONS[0], VERSIONS[-1],
        len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
