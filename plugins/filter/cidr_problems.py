# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter cidr_problems: what is wrong with a VPC CIDR and its subnet CIDRs."""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError


def _net(value):
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        return None


# AWS accepts VPC and subnet IPv4 blocks from /16 to /28.
AWS_PREFIXES = (16, 28)


def cidr_problems(subnets, vpc_cidr, prefixes=AWS_PREFIXES):
    """A list of readable problems (empty when fine): invalid blocks, blocks of a size AWS
    does not accept, blocks outside the VPC, and overlapping blocks."""
    if not isinstance(subnets, (list, tuple)):
        raise AnsibleFilterError("cidr_problems expects a list of CIDR blocks, got %r" % (subnets,))
    problems = []
    vpc = _net(vpc_cidr)
    if vpc is None:
        problems.append("%s is not an IPv4 CIDR block (network address/prefix, e.g. 10.0.0.0/16)" % vpc_cidr)
    elif prefixes and not prefixes[0] <= vpc.prefixlen <= prefixes[1]:
        problems.append("the VPC block %s is a /%d; AWS accepts /%d to /%d" % (vpc_cidr, vpc.prefixlen, *prefixes))
    nets = []
    for value in subnets:
        net = _net(value)
        if net is None:
            problems.append("%s is not an IPv4 CIDR block (network address/prefix)" % value)
            continue
        if prefixes and not prefixes[0] <= net.prefixlen <= prefixes[1]:
            problems.append("%s is a /%d; AWS accepts subnets of /%d to /%d" % (value, net.prefixlen, *prefixes))
        if vpc is not None and not net.subnet_of(vpc):
            problems.append("%s is outside the VPC %s" % (value, vpc_cidr))
        nets.append((value, net))
    for i, (value_a, net_a) in enumerate(nets):
        for value_b, net_b in nets[i + 1:]:
            if net_a.overlaps(net_b):
                problems.append("%s overlaps %s" % (value_a, value_b))
    return problems


class FilterModule:
    def filters(self):
        return {"cidr_problems": cidr_problems}
