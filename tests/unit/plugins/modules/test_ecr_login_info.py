# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ecr_login_info turns ECR's authorization token into docker login credentials."""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.modules import ecr_login_info
from tests.unit.module_runner import run_module


def test_returns_docker_login_credentials(moto_aws):
    failed, result = run_module(ecr_login_info.main, {}, check_mode=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["username"] == "AWS"
    assert result["password"]
    assert result["registry"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    assert "://" not in result["registry"]
    assert result["expires_at"][:4].isdigit()
