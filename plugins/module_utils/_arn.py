# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ARN helpers (private to docc.platform).

STS GetCallerIdentity names a role session ``arn:<partition>:sts::<account>:assumed-role/<role
name>/<session>``: the role's IAM path is not in it. EKS access entries need the role's real ARN,
with its path (IAM Identity Center roles live under ``/aws-reserved/sso.amazonaws.com/[<region>/]``),
while aws-auth ConfigMap entries take it without (EKS user guide, "Create access entries").
IAM role names are unique in an account whatever their path, so a role ARN with a path and a
session of that role are matched by account and role name.
"""

from __future__ import annotations


def _parts(arn):
    parts = (arn or "").split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def assumed_role_name(arn):
    """The role name of an STS assumed-role session ARN, else None."""
    parts = _parts(arn)
    if not parts or parts[2] != "sts" or not parts[5].startswith("assumed-role/"):
        return None
    return parts[5].split("/")[1]


def role_arn_without_path(arn):
    """``arn:...:iam::<account>:role/<name>`` for a session ARN; other ARNs unchanged. Only for the
    aws-auth ConfigMap and for messages: an access entry needs the ARN with its path."""
    parts = _parts(arn)
    name = assumed_role_name(arn)
    if name is None:
        return arn
    return "arn:%s:iam::%s:role/%s" % (parts[1], parts[4], name)


def same_principal(entry_arn, caller_arn):
    """True when an access entry's principal ARN names the caller: the same ARN, or the IAM role
    (any path) of an assumed-role session in the same account and partition."""
    if entry_arn == caller_arn:
        return True
    entry, caller = _parts(entry_arn), _parts(caller_arn)
    name = assumed_role_name(caller_arn)
    if not entry or not caller or name is None:
        return False
    return (entry[1], entry[2], entry[4]) == (caller[1], "iam", caller[4]) and entry[5].startswith("role/") \
        and entry[5].rsplit("/", 1)[-1] == name
