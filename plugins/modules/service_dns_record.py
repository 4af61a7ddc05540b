#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: service_dns_record
short_description: Point a Route53 name at a load balancer, with external-dns ownership
version_added: 0.1.0
description:
  - Finds the hosted zone by name (public or private).
  - Resolves the target host name to its load balancer through the ELBv2 API, then the
    classic ELB API. It takes the canonical hosted zone id the API reports and writes an
    ALIAS C(A) record, plus C(AAAA) when the load balancer is dual-stack.
  - With O(type=cname), a non-AWS target gets a C(CNAME) instead. Use it only as an
    explicit fallback.
  - Marks each record as owned with an external-dns compatible TXT record at
    C(<type>-<name>), for example C(a-service.docc.domain.io). The prefix means the TXT
    record never collides with a C(CNAME).
  - Records at the name that someone else owns are refused unless O(force=true).
    O(state=absent) deletes only what this owner id owns and leaves foreign records alone.
  - All changes go in one atomic change batch. The module then waits until Route53
    reports C(INSYNC). Throttling (C(Throttling), C(PriorRequestNotComplete)) is retried
    with jittered backoff.
author:
  - docc.platform maintainers (@docc-platform)
options:
  name:
    description: Record name, for example C(service.docc.domain.io).
    type: str
    required: true
  zone:
    description: Hosted zone name that contains O(name).
    type: str
    required: true
  private_zone:
    description: Look for a private hosted zone instead of a public one.
    type: bool
    default: false
  zone_id:
    description:
      - The hosted zone's id, when known (an earlier run exported it); it wins over the look-up of O(zone)
        by name, so a teardown finds the zone it wrote to whatever O(zone) says now.
    type: str
  sweep_owned:
    description:
      - With O(state=absent), also delete every record in the zone that an ownership TXT record marks as
        O(owner_id)'s, whatever its name (records written under an earlier name), with those TXT records.
    type: bool
    default: false
  target:
    description:
      - Host name of the load balancer (or, with O(type=cname), of any target).
      - Required when O(state=present).
    type: str
  target_zone_id:
    description:
      - The load balancer's canonical hosted zone id, when known (the ingress stage exports it with the
        host name). With it no load balancer is looked up; without it the ELBv2 and classic load
        balancers of the account and region are searched for O(target).
    type: str
  target_dual_stack:
    description: With O(target_zone_id), the load balancer also answers on IPv6 (an C(AAAA) alias is written too).
    type: bool
    default: false
  previous_names:
    description:
      - Names this record had before (the last run's exported name). With O(state=present), what is
        ours at each of them (by its ownership TXT record) is deleted in the same change, so renaming
        the service leaves no record behind; anything not ours there is left alone.
    type: list
    elements: str
    default: []
  type:
    description: C(alias) resolves an AWS load balancer; C(cname) is the fallback for other targets.
    type: str
    choices: [alias, cname]
    default: alias
  ttl:
    description: TTL of the C(CNAME) and of the ownership TXT records.
    type: int
    default: 300
  owner_id:
    description: external-dns owner id that marks the records as ours.
    type: str
    default: docc-platform
  force:
    description: Take over records at O(name) that another owner or nobody owns.
    type: bool
    default: false
  state:
    description: Whether the record should exist.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description: Seconds to wait for the change to reach C(INSYNC).
    type: int
    default: 300
extends_documentation_fragment:
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Computes the change batch and returns it without submitting it.
  diff_mode:
    support: full
    details: Before and after views of the records at the name and the ownership names.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Point service.docc.domain.io at the ingress load balancer
  docc.platform.service_dns_record:
    name: service.docc.domain.io
    zone: docc.domain.io
    target: "{{ ingress_hostname }}"

- name: Remove it again (only if we own it)
  docc.platform.service_dns_record:
    name: service.docc.domain.io
    zone: docc.domain.io
    state: absent
"""

RETURN = r"""
zone_id:
  description: Id of the hosted zone.
  returned: success
  type: str
  sample: Z0123456789ABCDEFGHIJ
load_balancer:
  description: The load balancer the target resolved to. It is C(null) for O(type=cname).
  returned: when O(state=present)
  type: dict
  sample: {"name": "ingress", "kind": "network", "zone_id": "Z26RNL4JYFTOTI", "dual_stack": false,
           "dns_name": "ingress-1234.elb.eu-west-1.amazonaws.com"}
ownership:
  description: Who owned the records at O(name) before the task (C(none), C(ours) or C(foreign)).
  returned: success
  type: str
  sample: ours
changes:
  description: The change batch that was (or in check mode, would be) submitted.
  returned: success
  type: list
  elements: dict
  sample: [{"Action": "UPSERT", "ResourceRecordSet": {"Name": "service.docc.domain.io.", "Type": "A"}}]
change_id:
  description: Route53 change id. It is C(null) when nothing was submitted.
  returned: success
  type: str
  sample: /change/C2682N5HXP0BZ4
reason:
  description: On failure, why in one word (C(foreign), C(no_zone), C(no_load_balancer)).
  returned: on failure
  type: str
  sample: foreign
records:
  description: Records at the name and ownership names after the task, as C(NAME TYPE) to value.
  returned: success
  type: dict
  sample: {"service.docc.domain.io. A": "ALIAS ingress-1234.elb.eu-west-1.amazonaws.com. (zone Z26RNL4JYFTOTI)"}
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _route53
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error

RESOURCE = "docc.platform/service_dns_record"


def renamed_from(route53, zone_id, name, previous_names, owner_id):
    """{(name, type): record_set} of what is ours at each earlier name of the record (not ``name``)."""
    found = {}
    for old in {_route53.fqdn(n) for n in previous_names} - {name}:
        if not _route53.valid_dns_name(old):
            continue
        existing = _route53.current_records(route53, zone_id, _route53.service_names(old))
        if _route53.ownership(existing, old, owner_id)[0] == "ours":
            # Only the service records at the old name and the TXT records at its ownership names.
            markers = _route53.service_names(old)[1:]
            found.update({k: v for k, v in existing.items()
                          if (k[0] == old and k[1] in ("A", "AAAA", "CNAME")) or (k[0] in markers and k[1] == "TXT")})
    return found


def run(module):
    p = module.params
    name = _route53.fqdn(p["name"])
    route53 = _aws.client(module, "route53")
    zone_id = p["zone_id"] or _route53.find_zone(route53, p["zone"], p["private_zone"])
    if zone_id is None and p["state"] == "absent":
        return dict(changed=False, zone_id=None, change_id=None, ownership="none", changes=[], records={})
    if zone_id is None:
        raise _route53.DnsError(
            "No %s hosted zone named %s exists. Create it first, or fix zone (and private_zone)."
            % ("private" if p["private_zone"] else "public", _route53.fqdn(p["zone"])), reason="no_zone")
    result = dict(changed=False, zone_id=zone_id, change_id=None)
    existing = _route53.current_records(route53, zone_id, _route53.service_names(name))
    owner_state, detail = _route53.ownership(existing, name, p["owner_id"])
    swept = _route53.owned_in_zone(route53, zone_id, p["owner_id"]) \
        if p["state"] == "absent" and p["sweep_owned"] else {}
    if p["state"] == "present":
        swept = renamed_from(route53, zone_id, name, p["previous_names"], p["owner_id"])
    result["ownership"] = owner_state

    if p["state"] == "present":
        if p["type"] == "alias" and p["target_zone_id"]:
            target = {"zone_id": p["target_zone_id"], "dns_name": p["target"], "dual_stack": p["target_dual_stack"],
                      "kind": "given", "name": None}
        elif p["type"] == "alias":
            target = _route53.resolve_load_balancer(_aws.client(module, "elbv2"), _aws.client(module, "elb"),
                                                    p["target"])
            if target is None:
                raise _route53.DnsError(
                    "No ELBv2 or classic load balancer in this account and region has the DNS name %s. Check the "
                    "target (and the region), or use type=cname for a target outside AWS." % p["target"],
                    reason="no_load_balancer")
        else:
            target = {"dns_name": p["target"], "zone_id": None, "dual_stack": False, "kind": "external", "name": None}
        result["load_balancer"] = target if p["type"] == "alias" else None
        if owner_state == "foreign" and not p["force"]:
            raise _route53.DnsError(
                "Refusing to change %s: %s. It is not ours (owner id %s). Set force=true to take it over."
                % (name, detail, p["owner_id"]), reason="foreign", ownership=owner_state,
                records=_route53.view(existing.values()))
        wanted = _route53.desired_records(name, target, p["type"], p["ttl"], p["owner_id"], RESOURCE)
    else:
        wanted = []
        if owner_state == "foreign":
            _aws.warn(module, "Leaving %s alone: %s, not owner id %s." % (name, detail, p["owner_id"]))
            if not swept:
                result["records"] = _route53.view(existing.values())
                return result

    changes = _route53.plan(existing, wanted, name, p["state"]) if owner_state != "foreign" or p["state"] == "present" \
        else []
    planned = {(_route53.fqdn(c["ResourceRecordSet"]["Name"]), c["ResourceRecordSet"]["Type"]) for c in changes}
    changes += [{"Action": "DELETE", "ResourceRecordSet": rrset} for key, rrset in sorted(swept.items())
                if key not in planned]
    existing.update(swept)
    result["changes"] = changes
    after = dict(existing)
    for change in changes:
        key = (_route53.fqdn(change["ResourceRecordSet"]["Name"]), change["ResourceRecordSet"]["Type"])
        if change["Action"] == "DELETE":
            after.pop(key, None)
        else:
            after[key] = change["ResourceRecordSet"]
    result["records"] = _route53.view(after.values())
    if module._diff:
        result["diff"] = {"before": _route53.view(existing.values()), "after": result["records"]}
    if changes:
        result["changed"] = True
        if not module.check_mode:
            result["change_id"], result["polls"] = _route53.apply(
                route53, zone_id, changes, "docc.platform %s %s" % (p["state"], name), p["wait_timeout"])
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            zone=dict(type="str", required=True),
            private_zone=dict(type="bool", default=False),
            zone_id=dict(type="str"),
            sweep_owned=dict(type="bool", default=False),
            target=dict(type="str"),
            target_zone_id=dict(type="str"),
            target_dual_stack=dict(type="bool", default=False),
            previous_names=dict(type="list", elements="str", default=[]),
            type=dict(type="str", choices=["alias", "cname"], default="alias"),
            ttl=dict(type="int", default=300),
            owner_id=dict(type="str", default="docc-platform"),
            force=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait_timeout=dict(type="int", default=300),
        ),
        required_if=[("state", "present", ["target"])],
        supports_check_mode=True,
    )
    p = module.params
    if not _route53.valid_dns_name(p["name"]):
        module.fail_json(msg="name %r is not a valid DNS name (labels of a-z, 0-9 and '-', at most 63 characters "
                             "each, 253 in all)." % p["name"])
    if not p["zone_id"] and not _route53.in_zone(p["name"], p["zone"]):
        module.fail_json(msg="name %s is outside the zone %s; pick the zone that contains it."
                             % (p["name"], p["zone"]))
    if p["state"] == "present" and not _route53.valid_dns_name(p["target"]):
        module.fail_json(msg="target %r is not a valid host name; expected the load balancer's DNS name."
                             % p["target"])
    with fail_on_error(module):
        try:
            result = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="Route53/ELB API call failed for %s" % p["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
