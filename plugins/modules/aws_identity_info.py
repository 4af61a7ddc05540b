#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_identity_info
short_description: Report who the AWS caller is and which endpoint answered
version_added: 0.1.0
description:
  - Calls STS GetCallerIdentity through docc.platform's AWS client factory and returns the
    account, the caller ARN and the endpoint URL the client used.
  - Preflight for every AWS stage. It fails early and clearly when the credentials or the
    endpoint are wrong, before Terraform or Route53 change anything.
  - For an assumed role (an IAM Identity Center user, a CI job, C(sts:AssumeRole)) STS names only the
    session (C(assumed-role/<name>/<session>)), without the role's IAM path. EKS access entries need
    the role's ARN with its path (IAM Identity Center roles live under
    C(/aws-reserved/sso.amazonaws.com/)), so the module reads it with IAM C(GetRole). When that is
    denied, RV(principal_arn) is null and RV(principal_arn_error) says why.
author:
  - docc.platform maintainers (@docc-platform)
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check the AWS credentials and endpoint before any change
  docc.platform.aws_identity_info:
  register: __caller

- name: Show the caller
  ansible.builtin.debug:
    msg: "{{ __caller.arn }} via {{ __caller.endpoint_url }}"
"""

RETURN = r"""
account:
  description: AWS account id of the caller.
  returned: success
  type: str
  sample: "123456789012"
arn:
  description: ARN of the caller as STS reports it.
  returned: success
  type: str
  sample: arn:aws:sts::123456789012:assumed-role/Admin/alice
principal_arn:
  description:
    - ARN that EKS access entries name - for an assumed role, the role's ARN with its path (IAM C(GetRole));
      null when IAM would not say.
  returned: success
  type: str
  sample: arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef
principal_arn_error:
  description: Why the role's ARN could not be read (RV(principal_arn) is null then).
  returned: when RV(principal_arn) is null
  type: str
  sample: "IAM GetRole(AWSReservedSSO_Admin_0123456789abcdef) was refused: AccessDenied"
user_id:
  description: Unique id of the caller.
  returned: success
  type: str
  sample: AROAEXAMPLEID:alice
endpoint_url:
  description: Endpoint URL the STS client used.
  returned: success
  type: str
  sample: http://127.0.0.1:5055
region:
  description: Region the client was built for.
  returned: success
  type: str
  sample: eu-west-1
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws
from ansible_collections.docc.platform.plugins.module_utils._arn import assumed_role_name


def main():
    module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
    sts = _aws.client(module, "sts")
    try:
        identity = sts.get_caller_identity(aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(
            exc,
            msg="STS GetCallerIdentity failed at %s: the credentials or the endpoint are wrong. "
                "Check AWS_PROFILE / AWS_ACCESS_KEY_ID and the inventory's docc_aws_endpoint_url "
                "(empty for real AWS)." % _aws.endpoint_of(sts))
    result = dict(changed=False, account=identity["Account"], arn=identity["Arn"], principal_arn=identity["Arn"],
                  user_id=identity["UserId"], endpoint_url=_aws.endpoint_of(sts), region=sts.meta.region_name)
    role = assumed_role_name(identity["Arn"])
    if role is not None:
        try:
            result["principal_arn"] = _aws.client(module, "iam").get_role(RoleName=role, aws_retry=True)["Role"]["Arn"]
        except botocore.exceptions.ClientError as exc:
            result.update(principal_arn=None, principal_arn_error="IAM GetRole(%s) was refused: %s" % (
                role, _aws.error_code(exc) or exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
