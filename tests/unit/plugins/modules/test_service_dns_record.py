# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""service_dns_record against Route53 and a real NLB in moto (in-process)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from ansible_collections.docc.platform.plugins.module_utils import _route53
from ansible_collections.docc.platform.plugins.modules import service_dns_record
from tests.unit.fake_clock import FakeClock
from tests.unit.module_runner import run_module

NAME = "service.docc.domain.io"
ZONE = "docc.domain.io"


@pytest.fixture()
def aws(moto_aws):
    route53 = boto3.client("route53")
    zone_id = route53.create_hosted_zone(Name=ZONE, CallerReference="docc-unit")["HostedZone"]["Id"].split("/")[-1]
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % i, AvailabilityZone="eu-west-1" + az)
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    yield {"route53": route53, "zone_id": zone_id, "subnets": subnets, "elbv2": boto3.client("elbv2")}


def nlb(aws, name):
    lb = aws["elbv2"].create_load_balancer(Name=name, Subnets=aws["subnets"], Type="network",
                                           Scheme="internet-facing")["LoadBalancers"][0]
    return lb


def records(aws):
    rrsets = aws["route53"].list_resource_record_sets(HostedZoneId=aws["zone_id"])["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): r for r in rrsets if r["Type"] not in ("SOA", "NS")}


def module(**kwargs):
    args = {"name": NAME, "zone": ZONE, "wait_timeout": 30}
    args.update(kwargs)
    return args


def test_check_mode_shows_the_change_and_creates_nothing(aws):
    lb = nlb(aws, "ingress")
    failed, result = run_module(service_dns_record.main, module(target=lb["DNSName"]), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["service.docc.domain.io. A"].startswith("ALIAS " + lb["DNSName"].lower())
    assert "a-service.docc.domain.io. TXT" in result["diff"]["after"]
    assert records(aws) == {}


def test_create_then_nothing_to_do(aws):
    lb = nlb(aws, "ingress")
    failed, first = run_module(service_dns_record.main, module(target=lb["DNSName"]))
    assert not failed, first
    assert first["changed"] is True and first["ownership"] == "none"
    recs = records(aws)
    alias = recs[(NAME + ".", "A")]["AliasTarget"]
    assert alias["HostedZoneId"] == lb["CanonicalHostedZoneId"]
    assert alias["DNSName"].rstrip(".") == lb["DNSName"].lower()
    txt = recs[("a-" + NAME + ".", "TXT")]["ResourceRecords"][0]["Value"]
    assert _route53.parse_owner([txt]) == "docc-platform"
    assert "heritage=external-dns" in txt

    failed, second = run_module(service_dns_record.main, module(target=lb["DNSName"]), diff=True)
    assert not failed and second["changed"] is False and second["ownership"] == "ours"
    assert second["changes"] == []
    assert second["diff"]["before"] == second["diff"]["after"]


def test_a_replaced_load_balancer_moves_the_record_and_keeps_ownership(aws):
    old = nlb(aws, "ingress-old")
    run_module(service_dns_record.main, module(target=old["DNSName"]))
    new = nlb(aws, "ingress-new")
    failed, result = run_module(service_dns_record.main, module(target=new["DNSName"]))
    assert not failed and result["changed"] is True and result["ownership"] == "ours"
    recs = records(aws)
    assert recs[(NAME + ".", "A")]["AliasTarget"]["DNSName"].rstrip(".") == new["DNSName"].lower()
    assert _route53.parse_owner([recs[("a-" + NAME + ".", "TXT")]["ResourceRecords"][0]["Value"]]) == "docc-platform"


def _create(aws, name, rtype, value):
    rrset = {"Name": name, "Type": rtype, "TTL": 60, "ResourceRecords": [{"Value": value}]}
    batch = {"Changes": [{"Action": "CREATE", "ResourceRecordSet": rrset}]}
    aws["route53"].change_resource_record_sets(HostedZoneId=aws["zone_id"], ChangeBatch=batch)


def _foreign_cname(aws):
    _create(aws, NAME, "CNAME", "legacy.example.net")


def test_a_foreign_record_is_refused_and_left_untouched(aws):
    lb = nlb(aws, "ingress")
    _foreign_cname(aws)
    before = records(aws)
    failed, result = run_module(service_dns_record.main, module(target=lb["DNSName"]))
    assert failed
    assert "Refusing to change service.docc.domain.io." in result["msg"]
    assert "no ownership TXT record" in result["msg"]
    assert "force=true" in result["msg"] and result["reason"] == "foreign"
    assert records(aws) == before


def test_force_takes_a_foreign_record_over(aws):
    lb = nlb(aws, "ingress")
    _foreign_cname(aws)
    failed, result = run_module(service_dns_record.main, module(target=lb["DNSName"], force=True))
    assert not failed, result
    assert result["ownership"] == "foreign"
    recs = records(aws)
    assert (NAME + ".", "CNAME") not in recs
    assert (NAME + ".", "A") in recs
    assert run_module(service_dns_record.main, module(target=lb["DNSName"]))[1]["ownership"] == "ours"


def test_another_owners_record_is_refused(aws):
    lb = nlb(aws, "ingress")
    run_module(service_dns_record.main, module(target=lb["DNSName"], owner_id="team-b"))
    failed, result = run_module(service_dns_record.main, module(target=lb["DNSName"]))
    assert failed and "owner(s) team-b" in result["msg"]


def test_absent_deletes_ours_and_leaves_foreign_records(aws):
    lb = nlb(aws, "ingress")
    run_module(service_dns_record.main, module(target=lb["DNSName"]))
    other = "other.docc.domain.io"
    _create(aws, other, "A", "192.0.2.10")
    failed, result = run_module(service_dns_record.main, module(state="absent"))
    assert not failed and result["changed"] is True
    assert set(records(aws)) == {(other + ".", "A")}
    failed, again = run_module(service_dns_record.main, module(state="absent"))
    assert again["changed"] is False


def test_absent_leaves_a_foreign_record_at_our_name(aws):
    _foreign_cname(aws)
    failed, result = run_module(service_dns_record.main, module(state="absent"))
    assert not failed and result["changed"] is False
    assert (NAME + ".", "CNAME") in records(aws)
    assert "Leaving service.docc.domain.io." in str(result.get("warnings")), result


def test_cname_fallback_for_a_target_outside_aws(aws):
    failed, result = run_module(service_dns_record.main, module(target="app.example.net", type="cname"))
    assert not failed, result
    recs = records(aws)
    assert recs[(NAME + ".", "CNAME")]["ResourceRecords"][0]["Value"] == "app.example.net."
    assert ("cname-" + NAME + ".", "TXT") in recs


def test_an_unknown_load_balancer_fails_with_a_hint(aws):
    failed, result = run_module(service_dns_record.main, module(target="nope-123.elb.eu-west-1.amazonaws.com"))
    assert failed and "No ELBv2 or classic load balancer" in result["msg"] and "type=cname" in result["msg"]


@pytest.mark.parametrize(("args", "message"), [
    ({"name": "service..docc.domain.io", "target": "x.example.net"}, "not a valid DNS name"),
    ({"name": "service.other.io", "target": "x.example.net"}, "outside the zone"),
    ({"target": "not a host"}, "not a valid host name"),
    ({}, "state is present but all of the following are missing: target"),
])
def test_bad_input_fails_before_any_call(aws, args, message):
    failed, result = run_module(service_dns_record.main, module(**args))
    assert failed and message in result["msg"]
    assert records(aws) == {}


def test_a_missing_zone_is_named():
    with mock_aws():
        args = {"name": NAME, "zone": ZONE, "target": "x.example.net", "type": "cname", "region": "eu-west-1",
                "access_key": "AKIADOCCUNITTEST0001", "secret_key": "dOcCuNiTsEcReT0000000000000000000000000"}
        failed, result = run_module(service_dns_record.main, args)
    assert failed and "No public hosted zone named docc.domain.io. exists" in result["msg"]


def test_waiting_for_insync_backs_off_and_times_out_with_the_status():
    class FakeRoute53:
        calls = 0

        def change_resource_record_sets(self, **kwargs):
            return {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}}

        def get_change(self, **kwargs):
            FakeRoute53.calls += 1
            return {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}}

    clock = FakeClock()
    with pytest.raises(_route53.DnsError, match="still PENDING after 60s"):
        _route53.apply(FakeRoute53(), "Z1", [], "c", 60, clock=clock)
    assert max(clock.sleeps) <= 15.0
    assert FakeRoute53.calls <= 10  # bounded polling for a 60 s wait (about 5 requests/s allowed)


def test_absent_without_the_zone_is_nothing_to_do():
    with mock_aws():
        args = {"name": NAME, "zone": ZONE, "state": "absent", "region": "eu-west-1",
                "access_key": "AKIADOCCUNITTEST0001", "secret_key": "dOcCuNiTsEcReT0000000000000000000000000"}
        failed, result = run_module(service_dns_record.main, args)
    assert not failed and result["changed"] is False and result["zone_id"] is None


def test_teardown_finds_our_records_by_their_marker_whatever_the_name_is_now(aws):
    """A record written under another dns_record_name (or another zone name) than the teardown's was
    left behind (issue 24): the teardown deletes what the ownership TXT marks as ours, in the zone
    the run exported, and leaves other owners' records."""
    lb = nlb(aws, "ingress")
    assert not run_module(service_dns_record.main, module(name="old.docc.domain.io", target=lb["DNSName"]))[0]
    assert not run_module(service_dns_record.main, module(name="theirs.docc.domain.io", target=lb["DNSName"],
                                                          owner_id="someone-else"))[0]
    failed, result = run_module(service_dns_record.main, module(
        zone="renamed.example", zone_id=aws["zone_id"], state="absent", sweep_owned=True), check_mode=True)
    assert not failed and result["changed"], result
    assert records(aws)  # check mode deleted nothing
    failed, result = run_module(service_dns_record.main, module(
        zone="renamed.example", zone_id=aws["zone_id"], state="absent", sweep_owned=True))
    assert not failed and result["changed"], result
    assert sorted(records(aws)) == [("a-theirs.docc.domain.io.", "TXT"), ("theirs.docc.domain.io.", "A")]
    failed, again = run_module(service_dns_record.main, module(
        zone="renamed.example", zone_id=aws["zone_id"], state="absent", sweep_owned=True))
    assert not failed and not again["changed"]


def test_a_known_zone_id_writes_the_alias_without_looking_up_any_load_balancer(aws, monkeypatch):
    lb = nlb(aws, "ingress")
    looked_up = []
    monkeypatch.setattr(_route53, "resolve_load_balancer", lambda *a: looked_up.append(a))
    failed, result = run_module(service_dns_record.main, module(target=lb["DNSName"],
                                                                target_zone_id=lb["CanonicalHostedZoneId"]))
    assert not failed, result
    assert looked_up == []
    alias = records(aws)[(NAME + ".", "A")]["AliasTarget"]
    assert alias["HostedZoneId"] == lb["CanonicalHostedZoneId"]
    assert alias["DNSName"].rstrip(".") == lb["DNSName"].lower()


def test_a_renamed_service_moves_the_record_and_leaves_nothing_at_the_old_name(aws):
    lb = nlb(aws, "ingress")
    failed, result = run_module(service_dns_record.main, module(target=lb["DNSName"]))
    assert not failed, result
    _create(aws, NAME, "MX", "10 mail.docc.domain.io")  # not ours to remove, though at the old name
    new = "www.docc.domain.io"
    failed, result = run_module(service_dns_record.main, module(name=new, target=lb["DNSName"],
                                                                previous_names=[NAME]))
    assert not failed, result
    assert set(records(aws)) == {(new + ".", "A"), ("a-" + new + ".", "TXT"), (NAME + ".", "MX")}
    failed, again = run_module(service_dns_record.main, module(name=new, target=lb["DNSName"], previous_names=[NAME]))
    assert not failed and again["changed"] is False, again


def test_a_rename_leaves_a_foreign_record_at_the_old_name_alone(aws):
    lb = nlb(aws, "ingress")
    _create(aws, NAME, "A", "192.0.2.10")  # someone else's record at the name we had
    failed, result = run_module(service_dns_record.main, module(name="www.docc.domain.io", target=lb["DNSName"],
                                                                previous_names=[NAME]))
    assert not failed, result
    assert (NAME + ".", "A") in records(aws)
