# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The value rules of each stage role (private to docc.platform), one module per role.

Types and choices live in each role's ``meta/argument_specs.yml``; everything else a user can get
wrong lives here: ranges, formats, cross-field rules, names derived from other names and their AWS
limits. Each role module exports ``INPUT`` (rules on what the user wrote, checked for every
selected stage in the first play of site.yml, before any stage changes anything) and ``STAGE``
(rules that need an earlier stage's outputs, checked when the stage starts). A rule takes a
``Values`` and returns problems, each naming the variable and the allowed range or form.
``docc.platform.validate_role_vars`` runs them.
"""

from __future__ import annotations

import importlib
import ipaddress
import re

ROLES = ("eks_cluster", "container_image", "ingress_controller", "app_deploy", "dns_record")


class Values:
    """A role's variables as the play sees them, templated on first use.

    ``lookup(name)`` returns the templated value or raises KeyError; ``default_of(name)`` returns
    the argument-spec default of any role's variable (for rules that need another stage's setting
    that the user did not set)."""

    def __init__(self, lookup, default_of):
        self._lookup, self._default_of, self._cache = lookup, default_of, {}

    def __call__(self, name):
        if name not in self._cache:
            self._cache[name] = self._lookup(name)
        return self._cache[name]

    def get(self, name, fallback=None):
        try:
            return self(name)
        except KeyError:
            return fallback

    def setting(self, name):
        """Another role's variable: as set for this run, else that role's default."""
        try:
            return self(name)
        except KeyError:
            return self._default_of(name)


def rules_of(role):
    """(INPUT, STAGE) rule lists of a role (empty for a role without rules)."""
    try:
        module = importlib.import_module("ansible_collections.docc.platform.plugins.plugin_utils.role_rules." + role)
    except ImportError:
        return [], []
    return list(getattr(module, "INPUT", [])), list(getattr(module, "STAGE", []))


# --- helpers shared by the roles' rules ------------------------------------------------------

def network(value):
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        return None


# Ranges a client of a public endpoint can never come from (RFC 6890 special-purpose registry:
# private, shared, loopback, link-local, documentation, benchmarking, multicast, reserved).
NOT_PUBLIC = [ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4")]


def public_cidr_problems(name, values, allow_everyone=True, limit=None):
    """Problems of an allowlist of public IPv4 CIDR blocks (the source addresses of clients on the
    internet): malformed blocks, private or reserved ranges, 0.0.0.0/0 when not allowed, too many."""
    problems = []
    if not isinstance(values, list):
        return ["%s must be a list of CIDR blocks" % name]
    if limit is not None and len(values) > limit:
        problems.append("%s holds %d blocks; AWS accepts at most %d" % (name, len(values), limit))
    for value in values:
        net = network(value)
        if net is None:
            problems.append("%s: %r is not an IPv4 CIDR block (a network address and a prefix length, with no "
                            "host bits set: 81.2.69.0/24, 81.2.69.7/32)" % (name, value))
            continue
        if net.prefixlen == 0:
            if not allow_everyone:
                problems.append("%s: 0.0.0.0/0 opens it to everyone; list the networks of the machines that need it"
                                % name)
            continue
        clash = next((r for r in NOT_PUBLIC if net.overlaps(r)), None)
        if clash is not None:
            problems.append("%s: %s is in %s, a private or reserved range that no client on the internet comes "
                            "from; list public addresses (the egress address of this machine: "
                            "curl https://checkip.amazonaws.com)" % (name, value, clash))
    return problems


_SUFFIXES = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9,
             "T": 10 ** 12, "m": 10 ** -3}


def quantity(value):
    """A Kubernetes quantity ('50m', '2', '128Mi', '1Gi') as a number; None when malformed."""
    match = re.match(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$", str(value).strip())
    if not match:
        return None
    return float(match.group(1)) * _SUFFIXES.get(match.group(2), 1)


def dns_label_problem(name, value, what="a DNS label"):
    if not isinstance(value, str) or not re.match(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", value):
        return ["%s %r must be %s: 1 to 63 of a-z, 0-9 and '-', not starting or ending with '-'" % (name, value, what)]
    return []
