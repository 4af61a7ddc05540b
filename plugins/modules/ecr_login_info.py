#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_login_info
short_description: Get Docker credentials for Amazon ECR from the caller's AWS identity
version_added: 0.1.0
description:
  - Calls ECR GetAuthorizationToken through docc.platform's AWS client factory. It returns
    the user name, password and registry endpoint to pass to
    M(community.docker.docker_login).
  - The token is valid for 12 hours. Get it in the same play that pushes.
  - The password is part of the result. Always set C(no_log) on the task that registers it.
author:
  - docc.platform maintainers (@docc-platform)
options:
  registry_ids:
    description: AWS account ids of the registries. The default is the caller's account.
    type: list
    elements: str
extends_documentation_fragment:
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Read-only; a token is issued in check mode as well.
  diff_mode:
    support: none
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Get ECR credentials
  docc.platform.ecr_login_info:
  register: __ecr
  no_log: true

- name: Log Docker in to ECR
  community.docker.docker_login:
    registry_url: "{{ __ecr.registry }}"
    username: "{{ __ecr.username }}"
    password: "{{ __ecr.password }}"
  no_log: true
"""

RETURN = r"""
registry:
  description: Registry host to log in to (no scheme).
  returned: success
  type: str
  sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
username:
  description: User name for docker login (always C(AWS)).
  returned: success
  type: str
  sample: AWS
password:
  description: Temporary password for docker login.
  returned: success
  type: str
  sample: "eyJwYXlsb2FkIjoi..."
expires_at:
  description: When the password expires (ISO 8601).
  returned: success
  type: str
  sample: "2026-11-26T12:00:00+00:00"
"""

import base64

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(registry_ids=dict(type="list", elements="str")),
        supports_check_mode=True,
    )
    ecr = _aws.client(module, "ecr")
    kwargs = {"registryIds": module.params["registry_ids"]} if module.params["registry_ids"] else {}
    try:
        data = ecr.get_authorization_token(aws_retry=True, **kwargs)["authorizationData"][0]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="ECR GetAuthorizationToken failed: the caller needs ecr:GetAuthorizationToken. "
                                      "Check the AWS credentials and region.")
    username, dummy, password = base64.b64decode(data["authorizationToken"]).decode("utf-8").partition(":")
    endpoint = data["proxyEndpoint"]
    registry = endpoint.split("://", 1)[-1].rstrip("/")
    module.exit_json(changed=False, registry=registry, username=username, password=password,
                     expires_at=data["expiresAt"].isoformat())


if __name__ == "__main__":
    main()
