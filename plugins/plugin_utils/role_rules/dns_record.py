# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value rules of the dns_record role (private to docc.platform). Sources: docs/aws-rules.md
(Route53 ChangeResourceRecordSets: names of at most 255 bytes, labels of 63, TTL 0-2147483647)."""

from __future__ import annotations

import re

from ansible_collections.docc.platform.plugins.module_utils._route53 import ownership_name

LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
NAME = r"^(%s\.)*%s\.?$" % (LABEL, LABEL)
MAX_TTL = 2147483647


def _fqdn(value):
    return str(value).lower().rstrip(".")


def names(v):
    problems = []
    name, zone = _fqdn(v("dns_record_name")), _fqdn(v("dns_record_zone"))
    if not re.match(NAME, name) or len(name) > 253:
        problems.append("dns_record_name %r is not a valid DNS name: labels of a-z, 0-9 and '-' (not at either end), "
                        "at most 63 characters each and 253 in all" % v("dns_record_name"))
    if not re.match(NAME, zone):
        problems.append("dns_record_zone %r is not a valid DNS name" % v("dns_record_zone"))
    if problems:
        return problems
    # Each service record has an ownership TXT record at '<type>-<name>' (external-dns's format):
    # the longest, 'cname-', must fit Route53's limits too (labels of 63, names of 253).
    txt = ownership_name("CNAME", name).rstrip(".")
    if len(txt.split(".")[0]) > 63 or len(txt) > 253:
        problems.append("dns_record_name %s is too long for its ownership TXT record %s (its first label may have at "
                        "most 63 characters and the whole name 253; the TXT name adds up to 6): shorten the first "
                        "label to at most 57 characters and the name to at most 247" % (name, txt))
    if name == zone:
        problems.append("dns_record_name %s is the apex of dns_record_zone %s: the record's ownership TXT record "
                        "(a-%s) would lie outside the zone, and Route53 refuses the whole change. Choose a name "
                        "inside the zone, such as service.%s" % (name, zone, name, zone))
    elif not name.endswith("." + zone):
        problems.append("dns_record_name %s is outside dns_record_zone %s: the zone must be one of the name's parents"
                        % (name, zone))
    return problems


def same_host(v):
    """The record must name the host the app's Ingress answers on, else DNS sends clients to a
    load balancer that answers them with 404 (a silent outage)."""
    host = v.get("app_deploy_host")
    if host is None or v.get("dns_record_state") == "absent":
        return []
    name = _fqdn(v("dns_record_name"))
    if _fqdn(host) != name:
        return ["dns_record_name %s and app_deploy_host %s differ: the record would send clients to an Ingress that "
                "does not answer for that name. Set docc_service_hostname once (both default to it) and leave both "
                "unset" % (name, _fqdn(host))]
    return []


def ttl_and_zone(v):
    problems = []
    ttl = int(v("dns_record_ttl"))
    if not 0 <= ttl <= MAX_TTL:
        problems.append("dns_record_ttl is %d: Route53 takes 0 to %d seconds" % (ttl, MAX_TTL))
    if v("dns_record_zone_create") and v("dns_record_zone_private") and not v("dns_record_zone_vpc_id"):
        problems.append("dns_record_zone_vpc_id must name the VPC of the private zone to create "
                        "(dns_record_zone_create and dns_record_zone_private are true)")
    return problems


def target(v):
    """The load balancer's name comes from the ingress stage."""
    if v("dns_record_state") != "present":
        return []
    value = v("dns_record_target") or ""
    if not value:
        return ["dns_record_target is empty: it must hold the ingress load balancer's DNS name. It defaults to the "
                "ingress stage's output ingress_controller_load_balancer_hostname: run the ingress stage first "
                "(--tags ingress), or set dns_record_target"]
    if not re.match(NAME, _fqdn(value)):
        return ["dns_record_target %r is not a host name: it must hold the ingress load balancer's DNS name" % value]
    return []


INPUT = [names, same_host, ttl_and_zone]
STAGE = [target]
