#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_repository
short_description: An ECR repository with immutable tags, scanning, encryption and a lifecycle policy
version_added: 0.3.0
description:
  - ECR does not create a repository on push (the push fails with C(name unknown)); this module
    makes it before the push, as the image stage's settings say.
  - Creates the repository when it is missing (C(CreateRepository) with the tag mutability, scan on
    push, encryption and tags), then brings the tag mutability (C(PutImageTagMutability)), scan on
    push (C(PutImageScanningConfiguration)) and lifecycle policy (C(PutLifecyclePolicy)) in line.
  - The encryption of an existing repository cannot change (ECR's C(encryptionConfiguration) is set at
    creation only); a difference fails, naming both settings, instead of being ignored.
  - Never deletes a repository, whose images may be in use by other clusters.
author:
  - docc.platform maintainers (@docc-platform)
options:
  name:
    description: Repository name (2 to 256 characters; lowercase path components separated by C(/)).
    type: str
    required: true
  tag_mutability:
    description: C(IMMUTABLE) refuses to move a pushed tag; C(MUTABLE) allows it.
    type: str
    choices: [IMMUTABLE, MUTABLE]
    default: IMMUTABLE
  scan_on_push:
    description: Scan every image when it is pushed (basic scanning).
    type: bool
    default: true
  encryption:
    description: C(AES256) (S3-managed keys) or C(KMS) (O(kms_key), or the AWS managed key when empty).
    type: str
    choices: [AES256, KMS]
    default: AES256
  kms_key:
    description: KMS key ARN, alias or id for O(encryption=KMS).
    type: str
    default: ""
  lifecycle_policy:
    description:
      - ECR lifecycle policy document (C(rules)); empty leaves the repository without one.
    type: dict
    default: {}
  tags:
    description: Tags of a repository this module creates.
    type: dict
    default: {}
extends_documentation_fragment:
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Reports what it would create or change and changes nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: The repository the image is pushed to
  docc.platform.ecr_repository:
    name: domain/docc-sample
    tag_mutability: IMMUTABLE
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: expire untagged images after 14 days
          selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 14}
          action: {type: expire}
"""

RETURN = r"""
repository_uri:
  description: Where to push (registry host and repository).
  returned: success
  type: str
  sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/domain/docc-sample
arn:
  description: Repository ARN; null in check mode for a repository that does not exist yet.
  returned: success
  type: str
  sample: arn:aws:ecr:eu-west-1:123456789012:repository/domain/docc-sample
created:
  description: Whether the repository was (or, in check mode, would be) created.
  returned: success
  type: bool
  sample: false
updated:
  description: Settings brought in line on an existing repository.
  returned: success
  type: list
  elements: str
  sample: [tag_mutability]
"""

import json

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws
from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError, fail_on_error


def _describe(ecr, name):
    try:
        return ecr.describe_repositories(repositoryNames=[name], aws_retry=True)["repositories"][0]
    except botocore.exceptions.ClientError as exc:
        if _aws.error_code(exc) == "RepositoryNotFoundException":
            return None
        raise


def _policy(ecr, name):
    try:
        return json.loads(ecr.get_lifecycle_policy(repositoryName=name, aws_retry=True)["lifecyclePolicyText"])
    except botocore.exceptions.ClientError as exc:
        if _aws.error_code(exc) in ("LifecyclePolicyNotFoundException", "RepositoryNotFoundException"):
            return {}
        raise


def _encryption(p):
    config = {"encryptionType": p["encryption"]}
    if p["encryption"] == "KMS" and p["kms_key"]:
        config["kmsKey"] = p["kms_key"]
    return config


def run(module):
    p = module.params
    ecr = _aws.client(module, "ecr")
    repo = _describe(ecr, p["name"])
    want = {"tag_mutability": p["tag_mutability"], "scan_on_push": p["scan_on_push"],
            "encryption": p["encryption"], "lifecycle_policy": p["lifecycle_policy"]}
    result = dict(changed=False, created=False, updated=[], arn=None, repository_uri=None)
    if repo is None:
        result.update(changed=True, created=True)
        if module._diff:
            result["diff"] = {"before": {}, "after": dict(want, name=p["name"])}
        if module.check_mode:
            return result
        repo = ecr.create_repository(
            repositoryName=p["name"], imageTagMutability=p["tag_mutability"],
            imageScanningConfiguration={"scanOnPush": p["scan_on_push"]},
            encryptionConfiguration=_encryption(p),
            tags=[{"Key": k, "Value": str(v)} for k, v in sorted(p["tags"].items())], aws_retry=True)["repository"]
        if p["lifecycle_policy"]:
            ecr.put_lifecycle_policy(repositoryName=p["name"], lifecyclePolicyText=json.dumps(p["lifecycle_policy"]),
                                     aws_retry=True)
        result.update(arn=repo["repositoryArn"], repository_uri=repo["repositoryUri"])
        return result
    result.update(arn=repo["repositoryArn"], repository_uri=repo["repositoryUri"])
    have_encryption = (repo.get("encryptionConfiguration") or {}).get("encryptionType", "AES256")
    if have_encryption != p["encryption"]:
        raise DoccError("repository %s is encrypted with %s; encryption %s was asked. ECR sets a repository's "
                        "encryption when it creates it and cannot change it: keep %s, or move the images to a new "
                        "repository." % (p["name"], have_encryption, p["encryption"], have_encryption))
    have = {"tag_mutability": repo.get("imageTagMutability"),
            "scan_on_push": (repo.get("imageScanningConfiguration") or {}).get("scanOnPush", False),
            "encryption": have_encryption, "lifecycle_policy": _policy(ecr, p["name"])}
    result["updated"] = [k for k in ("tag_mutability", "scan_on_push", "lifecycle_policy") if have[k] != want[k]]
    result["changed"] = bool(result["updated"])
    if module._diff:
        result["diff"] = {"before": have, "after": want}
    if module.check_mode or not result["changed"]:
        return result
    if "tag_mutability" in result["updated"]:
        ecr.put_image_tag_mutability(repositoryName=p["name"], imageTagMutability=p["tag_mutability"], aws_retry=True)
    if "scan_on_push" in result["updated"]:
        ecr.put_image_scanning_configuration(repositoryName=p["name"],
                                             imageScanningConfiguration={"scanOnPush": p["scan_on_push"]},
                                             aws_retry=True)
    if "lifecycle_policy" in result["updated"]:
        if p["lifecycle_policy"]:
            ecr.put_lifecycle_policy(repositoryName=p["name"], lifecyclePolicyText=json.dumps(p["lifecycle_policy"]),
                                     aws_retry=True)
        else:
            ecr.delete_lifecycle_policy(repositoryName=p["name"], aws_retry=True)
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            tag_mutability=dict(type="str", choices=["IMMUTABLE", "MUTABLE"], default="IMMUTABLE"),
            scan_on_push=dict(type="bool", default=True),
            encryption=dict(type="str", choices=["AES256", "KMS"], default="AES256"),
            kms_key=dict(type="str", default="", no_log=False),  # a key ARN or alias, not a secret
            lifecycle_policy=dict(type="dict", default={}),
            tags=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    with fail_on_error(module, "ecr repository"):
        try:
            result = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="ecr repository %s: an ECR call failed (the caller needs "
                                          "ecr:DescribeRepositories, ecr:CreateRepository, ecr:PutLifecyclePolicy ...)"
                                          % module.params["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
