# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Static tier: rendered manifests are valid for every supported Kubernetes version.

kubernetes-validate --strict for 1.31 to 1.37; any warning (an apiVersion or kind without a
schema) counts as a failure. TargetGroupBindings (a custom resource kubernetes-validate has
no schema for) are checked against the fields the AWS Load Balancer Controller requires.
  python tests/static/check_manifests.py DIR
"""

from __future__ import annotations

import glob
import os
import sys

import jsonschema
import kubernetes_validate
import yaml

VERSIONS = ["1.%d.0" % minor for minor in range(31, 38)]
TARGET_GROUP_BINDING = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "elbv2.k8s.aws/v1beta1"},
        "kind": {"const": "TargetGroupBinding"},
        "metadata": {"type": "object", "required": ["name", "namespace"]},
        "spec": {
            "type": "object",
            "required": ["serviceRef", "targetGroupARN", "targetType"],
            "additionalProperties": False,
            "properties": {
                "serviceRef": {"type": "object", "required": ["name", "port"], "additionalProperties": False,
                               "properties": {"name": {"type": "string"}, "port": {"type": ["string", "integer"]}}},
                "targetGroupARN": {"type": "string", "pattern": "^arn:aws[a-z-]*:elasticloadbalancing:"},
                "targetType": {"enum": ["ip", "instance"]},
                "networking": {"type": "object"},
            },
        },
    },
}


def documents(root):
    for path in sorted(glob.glob(os.path.join(root, "**", "*.yaml"), recursive=True)):
        with open(path) as handle:
            for doc in yaml.safe_load_all(handle):
                if doc:
                    for item in (doc if isinstance(doc, list) else [doc]):
                        yield os.path.relpath(path, root), item


def main(root):
    problems, counts = [], {}
    docs = list(documents(root))
    if not docs:
        print("no manifests under %s" % root)
        return 1
    for path, doc in docs:
        if doc.get("kind") == "TargetGroupBinding":
            try:
                jsonschema.validate(doc, TARGET_GROUP_BINDING)
            except jsonschema.ValidationError as exc:
                problems.append("%s: TargetGroupBinding: %s" % (path, exc.message))
            continue
        for version in VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError as exc:
                problems.append("%s (%s): no schema for %s/%s (counts as a failure): %s"
                                % (path, version, doc.get("apiVersion"), doc.get("kind"), exc))
            except kubernetes_validate.ValidationError as exc:
                problems.append("%s (%s): %s" % (path, version, exc.message))
        counts[doc.get("kind")] = counts.get(doc.get("kind"), 0) + 1
    for line in problems:
        print(line)
    print("%d documents (%s), Kubernetes %s to %s strict: %d problem(s)" % (
        len(docs), ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items())), VERSIONS[0], VERSIONS[-1],
        len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
