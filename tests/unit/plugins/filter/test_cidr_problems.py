# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from ansible_collections.docc.platform.plugins.filter.cidr_problems import cidr_problems


def test_good_subnets_have_no_problem():
    assert cidr_problems(["10.0.0.0/20", "10.0.16.0/20", "10.0.64.0/18"], "10.0.0.0/16") == []


def test_overlaps_are_named():
    assert cidr_problems(["10.0.0.0/20", "10.0.8.0/24"], "10.0.0.0/16") == ["10.0.0.0/20 overlaps 10.0.8.0/24"]


def test_outside_the_vpc_and_invalid_blocks_are_named():
    problems = cidr_problems(["10.1.0.0/24", "10.0.0.1/24", "banana"], "10.0.0.0/16")
    assert "10.1.0.0/24 is outside the VPC 10.0.0.0/16" in problems
    assert any(p.startswith("10.0.0.1/24 is not an IPv4 CIDR block") for p in problems)
    assert any(p.startswith("banana is not") for p in problems)


def test_an_invalid_vpc_is_named():
    assert cidr_problems([], "10.0.0.0/33")[0].startswith("10.0.0.0/33 is not an IPv4 CIDR block")
