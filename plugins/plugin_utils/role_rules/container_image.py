# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value rules of the container_image role (private to docc.platform). Sources: docs/aws-rules.md."""

from __future__ import annotations

import os
import re

# OCI distribution spec: path components of lowercase alphanumerics and separators.
REPOSITORY = r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$"
TAG = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
REGISTRY = r"^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$"
ECR_REGISTRY = r"^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$"


def names(v):
    problems = []
    repo = str(v("container_image_repository"))
    ecr = v("container_image_registry_auth") == "ecr"
    low, high = (2, 256) if ecr else (1, 255)
    if not re.match(REPOSITORY, repo) or not low <= len(repo) <= high:
        problems.append("container_image_repository %r is not a valid repository name: lowercase path components of "
                        "letters and digits joined by '.', '_' or '-', separated by '/', %d to %d characters%s "
                        "(for example domain/docc-sample)" % (repo, low, high, " in ECR" if ecr else ""))
    version = str(v("container_image_version"))
    if not re.match(TAG, version):
        problems.append("container_image_version %r is not a valid tag: up to 128 characters of letters, digits, '_', "
                        "'.' and '-', not starting with '.' or '-'" % version)
    bad = [str(t) for t in v("container_image_extra_tags") if not re.match(TAG, str(t))]
    if bad:
        problems.append("container_image_extra_tags holds invalid tags %s: up to 128 characters of letters, digits, "
                        "'_', '.' and '-', not starting with '.' or '-'" % bad)
    registry = v("container_image_registry")
    if registry and not re.match(REGISTRY, registry):
        problems.append("container_image_registry %r is not a registry host[:port] (no scheme, no path), for example "
                        "ghcr.io or 127.0.0.1:5000" % registry)
    return problems


def auth(v):
    problems = []
    mode, push = v("container_image_registry_auth"), v("container_image_push")
    if push and mode == "password" and not (v("container_image_registry_username")
                                            and v("container_image_registry_password")):
        problems.append("container_image_registry_username and container_image_registry_password must be set to push "
                        "to %r (container_image_registry_auth=password): set them in the inventory (vault) or export "
                        "DOCC_REGISTRY_USERNAME / DOCC_REGISTRY_PASSWORD; container_image_registry_auth=none for a "
                        "registry without login" % (v("container_image_registry") or "Docker Hub"))
    if mode == "ecr":
        if not re.match(ECR_REGISTRY, v("container_image_registry") or ""):
            problems.append("container_image_registry_auth=ecr needs container_image_registry to be an ECR registry "
                            "(<account>.dkr.ecr.<region>.amazonaws.com), got %r" % v("container_image_registry"))
        moving = [str(t) for t in v("container_image_extra_tags")]
        if moving and v("container_image_ecr_tag_mutability") == "IMMUTABLE":
            problems.append("container_image_extra_tags %s follow the newest build, which an ECR repository with "
                            "IMMUTABLE tags refuses on the second push: remove them, or set "
                            "container_image_ecr_tag_mutability: MUTABLE" % moving)
        if v("container_image_ecr_kms_key") and v("container_image_ecr_encryption") != "KMS":
            problems.append("container_image_ecr_kms_key is set, but container_image_ecr_encryption is %s: set it to "
                            "KMS" % v("container_image_ecr_encryption"))
    return problems


def source(v):
    directory = v("container_image_source_dir")
    if not os.path.isfile(os.path.join(str(directory), "Dockerfile")):
        return ["container_image_source_dir %r holds no Dockerfile" % directory]
    return []


INPUT = [names, auth, source]
STAGE = []
