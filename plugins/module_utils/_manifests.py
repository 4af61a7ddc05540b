# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kubernetes manifests checked offline against a Kubernetes version (private to docc.platform).

The schemas come from kubernetes-validate (the OpenAPI of each Kubernetes minor, 1.25 to 1.37,
shipped in the package): ``served`` lists the API versions and kinds a minor serves (what ``helm
template`` is told with --api-versions, so a chart's capability checks see the target, not Helm's
offline defaults); ``check`` validates documents strictly, and validates a custom resource against
the CRD of the same render (never skips one silently: a kind with no schema is a problem).
"""

from __future__ import annotations

import json
import os

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError


class ManifestError(DoccError):
    """The schemas for a Kubernetes version are not available."""


def _schema_dir(version):
    import kubernetes_validate  # from requirements.txt; imported late for ansible-test's import check

    minor = "%s.%s" % tuple(str(version).lstrip("v").split(".")[:2])
    path = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema",
                        "v%s.0-local-strict" % minor)
    if not os.path.isdir(path):
        raise ManifestError("kubernetes-validate %s has no schemas for Kubernetes %s (it has %s)"
                            % (getattr(kubernetes_validate, "__version__", "?"), minor, ", ".join(supported())))
    return minor, path


def supported():
    import kubernetes_validate

    root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    names = [n[1:].split("-")[0] for n in os.listdir(root) if n.endswith("-local-strict")]
    return sorted(("%s.%s" % tuple(n.split(".")[:2]) for n in names), key=lambda v: tuple(map(int, v.split("."))))


def served(version, ga_only=True):
    """'group/version' and 'group/version/Kind' of every generally available (not alpha or beta,
    unless ``ga_only`` is false) kind that Kubernetes ``version`` serves, core kinds as 'v1' and
    'v1/Kind'."""
    dummy, path = _schema_dir(version)
    with open(os.path.join(path, "_definitions.json")) as handle:
        definitions = json.load(handle)["$defs"]
    found = set()
    for definition in definitions.values():
        if "ObjectMeta" not in json.dumps(definition.get("properties", {}).get("metadata", {})):
            continue  # not a top-level object (options, events, lists)
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            if gvk["kind"].endswith("List") or (ga_only and ("alpha" in gvk["version"] or "beta" in gvk["version"])):
                continue
            group_version = "%s/%s" % (gvk["group"], gvk["version"]) if gvk["group"] else gvk["version"]
            found.update({group_version, "%s/%s" % (group_version, gvk["kind"])})
    return sorted(found)


def _crd_schemas(documents):
    """{(apiVersion, kind): openAPIV3Schema} of the CustomResourceDefinitions among ``documents``."""
    schemas = {}
    for doc in documents:
        if doc.get("kind") != "CustomResourceDefinition":
            continue
        spec = doc.get("spec", {})
        for version in spec.get("versions", []):
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if version.get("served", True) and schema:
                schemas[("%s/%s" % (spec["group"], version["name"]), spec["names"]["kind"])] = schema
    return schemas


def check(documents, version, extra_crds=()):
    """Problems of ``documents`` ((source, document) pairs) for Kubernetes ``version``: built-in kinds
    against its strict schemas (an API it no longer serves is a problem), custom resources against
    the CRDs among them or in ``extra_crds``. Returns (problems, {kind: count})."""
    import jsonschema
    import kubernetes_validate

    minor, dummy = _schema_dir(version)
    crds = _crd_schemas([d for dummy, d in documents] + list(extra_crds))
    problems, counts = [], {}
    for source, doc in documents:
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        counts[kind] = counts.get(kind, 0) + 1
        where = "%s: %s %s %s" % (source, api_version, kind, (doc.get("metadata") or {}).get("name", ""))
        if (api_version, kind) in crds:
            try:
                jsonschema.Draft7Validator(crds[(api_version, kind)]).validate(doc)
            except jsonschema.ValidationError as exc:
                problems.append("%s: %s (its CRD's schema)" % (where, exc.message))
            continue
        try:
            kubernetes_validate.validate(doc, minor, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            problems.append("%s: Kubernetes %s serves no %s %s, and no CRD in the render defines it" % (
                where, minor, api_version, kind))
        except kubernetes_validate.ValidationError as exc:
            problems.append("%s: %s" % (where, exc.message))
    return problems, counts


def load(paths):
    """(source, document) pairs of every YAML document in ``paths`` (files, or directories walked)."""
    import yaml  # PyYAML ships with ansible-core

    files = []
    for path in paths:
        if os.path.isdir(path):
            for base, _dirs, names in os.walk(path):
                files += [os.path.join(base, n) for n in names if n.endswith((".yaml", ".yml"))]
        else:
            files.append(path)
    pairs = []
    for path in sorted(files):
        with open(path) as handle:
            for doc in yaml.safe_load_all(handle):
                for item in (doc if isinstance(doc, list) else [doc]) if doc else []:
                    pairs.append((os.path.basename(path), item))
    return pairs
