# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ecr_repository: the repository ECR will not create on push, created once with its settings,
changed only where they differ, in check mode and diff honestly (moto in-process; the
NAME_UNKNOWN answer of a push is tested in test_registry_image_info)."""

from __future__ import annotations

import json

import boto3
import pytest

from ansible_collections.docc.platform.plugins.modules import ecr_repository
from tests.unit.module_runner import run_module

POLICY = {"rules": [{"rulePriority": 1, "description": "expire untagged images after 14 days",
                     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                                   "countNumber": 14}, "action": {"type": "expire"}}]}


@pytest.fixture()
def args(moto_aws):
    return {"name": "domain/docc-sample", "lifecycle_policy": POLICY, "tags": {"docc.platform/stack": "image"}}


def test_check_mode_create_apply_again_and_check_again(args):
    failed, check = run_module(ecr_repository.main, args, check_mode=True, diff=True)
    assert not failed and check["changed"] and check["created"] and check["arn"] is None
    assert not boto3.client("ecr").describe_repositories()["repositories"]
    failed, first = run_module(ecr_repository.main, args)
    assert not failed and first["changed"] and first["created"]
    repo = boto3.client("ecr").describe_repositories(repositoryNames=["domain/docc-sample"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE" and repo["imageScanningConfiguration"]["scanOnPush"]
    assert json.loads(boto3.client("ecr").get_lifecycle_policy(repositoryName="domain/docc-sample")
                      ["lifecyclePolicyText"]) == POLICY
    assert first["repository_uri"].endswith("/domain/docc-sample")
    failed, again = run_module(ecr_repository.main, args)
    assert not failed and not again["changed"] and again["updated"] == []
    failed, check_again = run_module(ecr_repository.main, args, check_mode=True)
    assert not failed and not check_again["changed"]


def test_a_setting_that_differs_is_changed_alone(args):
    assert not run_module(ecr_repository.main, args)[0]
    failed, result = run_module(ecr_repository.main, dict(args, tag_mutability="MUTABLE"), diff=True)
    assert not failed and result["changed"] and result["updated"] == ["tag_mutability"]
    assert result["diff"]["before"]["tag_mutability"] == "IMMUTABLE"
    repo = boto3.client("ecr").describe_repositories(repositoryNames=["domain/docc-sample"])["repositories"][0]
    assert repo["imageTagMutability"] == "MUTABLE"


def test_encryption_cannot_change_and_says_so(args):
    assert not run_module(ecr_repository.main, args)[0]
    failed, result = run_module(ecr_repository.main, dict(args, encryption="KMS"))
    assert failed
    assert "encrypted with AES256; encryption KMS was asked" in result["msg"]
