# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Route53 records for a service host, load-balancer aware, with external-dns ownership
(private to docc.platform).

Pure functions compute the desired record sets and the change batch; the few functions
that call AWS take ready clients (built by _aws.client). Lower layers raise DnsError.
"""

from __future__ import annotations

import re

from ansible_collections.docc.platform.plugins.module_utils import _aws
from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError
from ansible_collections.docc.platform.plugins.module_utils._waiter import poll

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HERITAGE = "heritage=external-dns"


class DnsError(DoccError):
    """A Route53 record cannot be written or read as asked."""


def fqdn(name):
    """Lowercase name with exactly one trailing dot."""
    return name.strip().lower().rstrip(".") + "."


def valid_dns_name(name):
    name = name.strip().rstrip(".")
    if not name or len(name) > 253:
        return False
    return all(_LABEL.match(label) for label in name.lower().split("."))


def in_zone(name, zone):
    return fqdn(name) == fqdn(zone) or fqdn(name).endswith("." + fqdn(zone))


def owner_value(owner_id, resource):
    return '"%s,external-dns/owner=%s,external-dns/resource=%s"' % (HERITAGE, owner_id, resource)


def parse_owner(txt_values):
    """The external-dns owner id in a TXT record's values, or None."""
    for value in txt_values:
        text = value.strip('"')
        if HERITAGE not in text:
            continue
        for part in text.split(","):
            if part.startswith("external-dns/owner="):
                return part.split("=", 1)[1]
    return None


def ownership_name(record_type, name):
    """external-dns 'new format' TXT name: '<type>-<name>', so it never collides with a CNAME."""
    return fqdn("%s-%s" % (record_type.lower(), fqdn(name).rstrip(".")))


# --- AWS look-ups -------------------------------------------------------------------

def find_zone(route53, zone_name, private):
    """Hosted zone id for ``zone_name`` with the requested visibility, or None."""
    wanted = fqdn(zone_name)
    for zone in _aws.paginate(route53, "list_hosted_zones").get("HostedZones", []):
        if fqdn(zone["Name"]) == wanted and bool(zone.get("Config", {}).get("PrivateZone")) == bool(private):
            return zone["Id"].split("/")[-1]
    return None


def resolve_load_balancer(elbv2, elb, hostname):
    """{'zone_id', 'dns_name', 'dual_stack', 'kind', 'name', 'state', 'arn'} of the load balancer
    serving ``hostname`` (ELBv2 first, then classic ELB), or None when no load balancer has it."""
    wanted = fqdn(hostname)
    for lb in _aws.paginate(elbv2, "describe_load_balancers").get("LoadBalancers", []):
        if fqdn(lb["DNSName"]) == wanted:
            return {"zone_id": lb["CanonicalHostedZoneId"], "dns_name": lb["DNSName"],
                    "dual_stack": lb.get("IpAddressType", "ipv4") != "ipv4", "kind": lb.get("Type", "elbv2"),
                    "name": lb["LoadBalancerName"], "state": lb.get("State", {}).get("Code", "active"),
                    "arn": lb["LoadBalancerArn"]}
    if elb is not None:
        for lb in _aws.paginate(elb, "describe_load_balancers").get("LoadBalancerDescriptions", []):
            if fqdn(lb["DNSName"]) == wanted:
                return {"zone_id": lb["CanonicalHostedZoneNameID"], "dns_name": lb["DNSName"],
                        "dual_stack": False, "kind": "classic", "name": lb["LoadBalancerName"], "state": "active",
                        "arn": None}
    return None


def owned_in_zone(route53, zone_id, owner_id):
    """{(name, type): record_set} of every service record in the zone that an ownership TXT record
    marks as ``owner_id``'s, with those TXT records: what a teardown must remove, whatever name the
    variables say today."""
    everything = {(fqdn(r["Name"]), r["Type"]): r for r in _aws.paginate(
        route53, "list_resource_record_sets", HostedZoneId=zone_id).get("ResourceRecordSets", [])}
    found = {}
    for (name, rtype), rrset in everything.items():
        if rtype != "TXT" or parse_owner([r["Value"] for r in rrset.get("ResourceRecords", [])]) != owner_id:
            continue
        kind, dash, service = name.partition("-")
        if not dash or kind.upper() not in ("A", "AAAA", "CNAME"):
            continue
        found[(name, rtype)] = rrset
        if (service, kind.upper()) in everything:
            found[(service, kind.upper())] = everything[(service, kind.upper())]
    return found


def current_records(route53, zone_id, names):
    """{(name, type): record_set} for the given fqdn names."""
    found = {}
    for name in sorted(set(names)):
        resp = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name, MaxItems="20",
                                                 aws_retry=True)
        for rrset in resp["ResourceRecordSets"]:
            if fqdn(rrset["Name"]) != name:
                break
            found[(name, rrset["Type"])] = rrset
    return found


# --- desired state --------------------------------------------------------------------

def desired_records(name, target, record_type, ttl, owner_id, resource):
    """Record sets we want: the service record(s) and one ownership TXT per type."""
    name = fqdn(name)
    wanted = []
    if record_type == "alias":
        types = ["A", "AAAA"] if target["dual_stack"] else ["A"]
        for rtype in types:
            wanted.append({"Name": name, "Type": rtype, "AliasTarget": {
                "HostedZoneId": target["zone_id"], "DNSName": fqdn(target["dns_name"]),
                "EvaluateTargetHealth": True}})
    else:
        types = ["CNAME"]
        wanted.append({"Name": name, "Type": "CNAME", "TTL": ttl,
                       "ResourceRecords": [{"Value": fqdn(target["dns_name"])}]})
    for rtype in types:
        wanted.append({"Name": ownership_name(rtype, name), "Type": "TXT", "TTL": ttl,
                       "ResourceRecords": [{"Value": owner_value(owner_id, resource)}]})
    return wanted


def _normalise(rrset):
    out = {"Name": fqdn(rrset["Name"]), "Type": rrset["Type"]}
    if "AliasTarget" in rrset:
        alias = rrset["AliasTarget"]
        out["AliasTarget"] = {"HostedZoneId": alias["HostedZoneId"], "DNSName": fqdn(alias["DNSName"]),
                              "EvaluateTargetHealth": bool(alias.get("EvaluateTargetHealth"))}
    else:
        out["TTL"] = int(rrset.get("TTL", 0))
        out["ResourceRecords"] = sorted(r["Value"] for r in rrset.get("ResourceRecords", []))
    return out


def service_names(name):
    """Every name a service record or its ownership TXT can live at."""
    name = fqdn(name)
    return [name] + [ownership_name(t, name) for t in ("A", "AAAA", "CNAME")]


def ownership(existing, name, owner_id):
    """('none' | 'ours' | 'foreign', detail) for the records at ``name``."""
    name = fqdn(name)
    service = [rtype for (rname, rtype) in existing if rname == name and rtype in ("A", "AAAA", "CNAME")]
    owners = set()
    for rtype in ("A", "AAAA", "CNAME"):
        txt = existing.get((ownership_name(rtype, name), "TXT"))
        if txt:
            owners.add(parse_owner([r["Value"] for r in txt.get("ResourceRecords", [])]))
    if not service:
        return "none", "no A, AAAA or CNAME record at %s" % name
    if owners == {owner_id}:
        return "ours", "owned by %s" % owner_id
    if owners - {None}:
        return "foreign", "owned by external-dns owner(s) %s" % ", ".join(sorted(o for o in owners if o))
    return "foreign", "%s record(s) at %s with no ownership TXT record" % ("/".join(sorted(service)), name)


def plan(existing, wanted, name, state):
    """Change batch turning ``existing`` into ``wanted`` (present) or removing ours (absent)."""
    changes = []
    wanted_keys = {(fqdn(r["Name"]), r["Type"]) for r in wanted}
    if state == "present":
        for rrset in wanted:
            key = (fqdn(rrset["Name"]), rrset["Type"])
            current = existing.get(key)
            if current is None or _normalise(current) != _normalise(rrset):
                changes.append({"Action": "UPSERT", "ResourceRecordSet": rrset})
    name = fqdn(name)
    ownership_names = service_names(name)[1:]
    for key in sorted(existing):
        # Only the service record types at the name, and only TXT at the ownership names:
        # a verification TXT or an MX at the service name is never touched.
        ours = (key[0] == name and key[1] in ("A", "AAAA", "CNAME")) or (key[0] in ownership_names and key[1] == "TXT")
        if ours and (state == "absent" or key not in wanted_keys):
            changes.append({"Action": "DELETE", "ResourceRecordSet": existing[key]})
    # Route53 rejects a batch that creates a CNAME while an A record with the same name
    # still exists: deletions go first.
    return sorted(changes, key=lambda c: 0 if c["Action"] == "DELETE" else 1)


def view(records):
    """Diff-friendly view of record sets: {'NAME TYPE': value}."""
    out = {}
    for rrset in records:
        norm = _normalise(rrset)
        key = "%s %s" % (norm["Name"], norm["Type"])
        if "AliasTarget" in norm:
            out[key] = "ALIAS %s (zone %s)" % (norm["AliasTarget"]["DNSName"], norm["AliasTarget"]["HostedZoneId"])
        else:
            out[key] = " ".join(norm["ResourceRecords"])
    return out


def apply(route53, zone_id, changes, comment, wait_timeout, clock=None):
    """Submit ``changes`` as one atomic batch and wait until Route53 reports INSYNC.

    Returns (change id, status polls after the submit).
    """
    resp = route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Comment": comment, "Changes": changes}, aws_retry=True)
    change_id = resp["ChangeInfo"]["Id"]
    # The first look uses the submit's answer; later looks ask GetChange.
    state = {"status": resp["ChangeInfo"]["Status"], "fresh": True, "polls": 0}

    def check():
        if not state["fresh"]:
            state["status"] = route53.get_change(Id=change_id, aws_retry=True)["ChangeInfo"]["Status"]
            state["polls"] += 1
        state["fresh"] = False
        return state["status"] == "INSYNC", state["status"]

    done, observed, dummy, dummy = poll(check, wait_timeout, initial=1.0, cap=15.0, clock=clock)
    if not done:
        raise DnsError("Route53 change %s is still %s after %ss" % (change_id, observed, wait_timeout),
                       change_id=change_id, status=observed)
    return change_id, state["polls"]
