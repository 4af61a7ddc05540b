# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Role sessions and role ARNs, as STS and EKS write them (EKS user guide, "Create access
entries": a role ARN may carry a path; STS GetCallerIdentity never does)."""

from __future__ import annotations

import pytest

from ansible_collections.docc.platform.plugins.module_utils._arn import (
    assumed_role_name,
    role_arn_without_path,
    same_principal,
)

SSO_SESSION = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com"
SSO_ROLE = ("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
            "AWSReservedSSO_Admin_0123456789abcdef")


@pytest.mark.parametrize(("arn", "name"), [
    (SSO_SESSION, "AWSReservedSSO_Admin_0123456789abcdef"),
    ("arn:aws-cn:sts::123456789012:assumed-role/Ops/i-0abc", "Ops"),
    ("arn:aws:iam::123456789012:user/bob", None),
    ("arn:aws:iam::123456789012:role/Admin", None),
    ("not-an-arn", None),
])
def test_the_role_name_of_a_session(arn, name):
    assert assumed_role_name(arn) == name


def test_without_path_is_only_for_the_config_map_and_messages():
    assert role_arn_without_path(SSO_SESSION) == "arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_0123456789abcdef"
    assert role_arn_without_path("arn:aws:iam::123456789012:user/bob") == "arn:aws:iam::123456789012:user/bob"


@pytest.mark.parametrize(("entry", "caller", "same"), [
    (SSO_ROLE, SSO_SESSION, True),  # the access entry carries the path, the session does not
    ("arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_0123456789abcdef", SSO_SESSION, True),
    ("arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
     SSO_SESSION, False),  # another account
    ("arn:aws:iam::123456789012:role/AWSReservedSSO_Admin", SSO_SESSION, False),  # another role
    ("arn:aws:iam::123456789012:user/AWSReservedSSO_Admin_0123456789abcdef", SSO_SESSION, False),
    ("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob", True),
])
def test_an_access_entry_names_a_session_by_its_role_whatever_the_path(entry, caller, same):
    assert same_principal(entry, caller) is same
