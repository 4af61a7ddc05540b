# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ARN helpers (private to docc.platform)."""

from __future__ import annotations


def principal_arn(arn):
    """Map an STS assumed-role ARN to its IAM role ARN; other ARNs are returned unchanged.

    ``arn:aws:sts::123456789012:assumed-role/Admin/alice`` becomes
    ``arn:aws:iam::123456789012:role/Admin``. Role paths are not part of an assumed-role
    ARN, so a role with a path cannot be recovered from it; EKS matches on the role name.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "sts" or not parts[5].startswith("assumed-role/"):
        return arn
    role_name = parts[5].split("/")[1]
    return "arn:%s:iam::%s:role/%s" % (parts[1], parts[4], role_name)
