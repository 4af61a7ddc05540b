# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.docc.platform.plugins.module_utils._arn import principal_arn


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:sts::123456789012:assumed-role/Admin/alice", "arn:aws:iam::123456789012:role/Admin"),
        ("arn:aws-cn:sts::123456789012:assumed-role/Ops/i-0abc", "arn:aws-cn:iam::123456789012:role/Ops"),
        ("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob"),
        ("arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/Admin"),
        ("not-an-arn", "not-an-arn"),
    ],
)
def test_principal_arn_maps_assumed_roles_to_their_role(arn, expected):
    assert principal_arn(arn) == expected
