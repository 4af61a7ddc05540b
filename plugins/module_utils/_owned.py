# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resources we own, found through the AWS API by their tags (private to docc.platform).

``find`` asks the Resource Groups Tagging API and, for what it may not list (IAM roles and
OIDC providers, EKS clusters, Elastic IPs, launch templates), the services themselves.
``unknown`` keeps those a Terraform state does not record (left by an interrupted apply).
A resource with a tag key that starts with ``aws:`` was made and is managed by an AWS service
(only AWS can write that prefix): EKS tags the cluster security group it creates
``kubernetes.io/cluster/<name>=owned`` and ``aws:eks:cluster-name`` and deletes it with the
cluster, EC2 Auto Scaling tags a node group's instances ``aws:autoscaling:groupName``. ``find``
never returns such a resource, so nothing here deletes what AWS owns.
``delete`` removes resources in dependency order and waits, bounded, until they are gone.
Clients come from a ``client(service)`` callable built on _aws.client.
"""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils import _aws
from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError
from ansible_collections.docc.platform.plugins.module_utils._waiter import poll

try:
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports the missing library
    ClientError = Exception

# Deletion order: what holds others first.
ORDER = [
    "eks:cluster", "elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup", "ec2:natgateway",
    "ec2:elastic-ip", "ec2:flow-log", "ec2:launch-template", "ec2:network-interface", "ec2:security-group",
    "ec2:route-table", "ec2:internet-gateway", "ec2:subnet", "ec2:vpc", "logs:log-group", "kms:key",
    "iam:role", "iam:oidc-provider",
]
_GONE_CODES = ("NotFound", "NoSuchEntity", "ResourceNotFoundException", "LoadBalancerNotFound",
               "TargetGroupNotFound", "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidGroup.NotFound",
               "InvalidInternetGatewayID.NotFound", "InvalidRouteTableID.NotFound", "NatGatewayNotFound",
               "InvalidAllocationID.NotFound", "InvalidNetworkInterfaceID.NotFound", "InvalidLaunchTemplateId.NotFound",
               "InvalidLaunchTemplateId.NotFoundException", "NotFoundException", "InvalidFlowLogId.NotFound")


class OwnedError(DoccError):
    """Resources could not be listed or deleted."""


def parse_arn(arn):
    """{'arn', 'service', 'type', 'id', 'region'} of an ARN (type as ``service:kind``)."""
    parts = arn.split(":", 5)
    service, resource = parts[2], parts[5]
    if resource.endswith(":*"):
        resource = resource[:-2]
    for sep in ("/", ":"):
        if sep in resource:
            kind, rest = resource.split(sep, 1)
            break
    else:
        kind, rest = resource, resource
    kind = {"loggroup": "log-group", "flow-logs": "flow-log", "network-interface": "network-interface"}.get(kind, kind)
    if service == "logs":
        kind, rest = "log-group", resource.split(":", 1)[1] if resource.startswith("log-group:") else rest
    ident = rest.split("/")[-1] if service in ("ec2", "kms", "eks") else rest
    if service == "elasticloadbalancing":
        ident = arn
    return {"arn": arn if not arn.endswith(":*") else arn[:-2], "service": service, "type": "%s:%s" % (service, kind),
            "id": ident, "region": parts[3]}


def _matches(tags, wanted):
    return all(tags.get(k) == v for k, v in wanted.items())


def _tag_dict(tag_list, key="Key", value="Value"):
    return {t[key]: t[value] for t in tag_list or []}


def managed_by_aws(record):
    """True when an AWS service made the resource and manages it (a tag key with the aws: prefix)."""
    return any(str(key).startswith("aws:") for key in (record.get("tags") or {}))


def find(client, tags, iam_name_prefix=None, resource_types=None):
    """Every resource whose tags include all of ``tags`` (of the ``resource_types`` given, as
    ``service:kind``), except what an AWS service manages: parse_arn records with 'tags'."""
    found = {}
    filters = [{"Key": k, "Values": [v]} for k, v in sorted(tags.items())]
    tagging = client("resourcegroupstaggingapi")
    for item in _aws.paginate(tagging, "get_resources", TagFilters=filters).get("ResourceTagMappingList", []):
        record = parse_arn(item["ResourceARN"])
        record["tags"] = _tag_dict(item.get("Tags"))
        found[record["arn"]] = record
    ec2 = client("ec2")
    ec2_filters = [{"Name": "tag:%s" % k, "Values": [v]} for k, v in sorted(tags.items())]
    region, partition = ec2.meta.region_name, ec2.meta.partition
    for address in ec2.describe_addresses(Filters=ec2_filters, aws_retry=True).get("Addresses", []):
        arn = "arn:%s:ec2:%s:%s:elastic-ip/%s" % (partition, region, "", address["AllocationId"])
        found.setdefault(arn, dict(parse_arn(arn), tags=_tag_dict(address.get("Tags"))))
    for lt in _aws.paginate(ec2, "describe_launch_templates", Filters=ec2_filters).get("LaunchTemplates", []):
        arn = "arn:%s:ec2:%s:%s:launch-template/%s" % (partition, region, "", lt["LaunchTemplateId"])
        found.setdefault(arn, dict(parse_arn(arn), tags=_tag_dict(lt.get("Tags"))))
    iam = client("iam")
    if iam_name_prefix:
        for role in _aws.paginate(iam, "list_roles").get("Roles", []):
            if not role["RoleName"].startswith(iam_name_prefix):
                continue
            role_tags = _tag_dict(_aws.paginate(iam, "list_role_tags", RoleName=role["RoleName"]).get("Tags"))
            if _matches(role_tags, tags):
                found.setdefault(role["Arn"], dict(parse_arn(role["Arn"]), id=role["RoleName"], tags=role_tags))
    for provider in iam.list_open_id_connect_providers(aws_retry=True).get("OpenIDConnectProviderList", []):
        provider_tags = _tag_dict(iam.list_open_id_connect_provider_tags(
            OpenIDConnectProviderArn=provider["Arn"], aws_retry=True).get("Tags"))
        if _matches(provider_tags, tags):
            found.setdefault(provider["Arn"], dict(parse_arn(provider["Arn"]), id=provider["Arn"], tags=provider_tags))
    eks = client("eks")
    for name in _aws.paginate(eks, "list_clusters").get("clusters", []):
        cluster = eks.describe_cluster(name=name, aws_retry=True)["cluster"]
        if _matches(cluster.get("tags") or {}, tags):
            found.setdefault(cluster["arn"], dict(parse_arn(cluster["arn"]), id=name, tags=cluster.get("tags")))
    for record in found.values():
        if record["type"] == "iam:role":
            record["id"] = record["arn"].rsplit("/", 1)[-1]
    wanted = [r for r in found.values() if not managed_by_aws(r)
              and (resource_types is None or r["type"] in resource_types)]
    return [r for r in sorted(wanted, key=_order_key) if _alive(client, r)]


def _order_key(record):
    kind = record["type"]
    return (ORDER.index(kind) if kind in ORDER else len(ORDER), record["arn"])


def _alive(client, record):
    """False for resources that exist only as a deletion in progress (KMS keys, NAT gateways)."""
    try:
        if record["type"] == "kms:key":
            state = client("kms").describe_key(KeyId=record["id"], aws_retry=True)["KeyMetadata"]["KeyState"]
            return state not in ("PendingDeletion", "PendingReplicaDeletion")
        if record["type"] == "ec2:natgateway":
            gws = client("ec2").describe_nat_gateways(NatGatewayIds=[record["id"]], aws_retry=True)["NatGateways"]
            return any(g["State"] not in ("deleted", "deleting") for g in gws)
    except ClientError as exc:
        if _gone(exc):
            return False
        raise
    return True


def unknown(records, known):
    """Records whose ARN or id is not in ``known`` (identifiers from a Terraform state)."""
    known = set(known)
    return [r for r in records if r["arn"] not in known and r["id"] not in known]


def _gone(exc):
    code = _aws.error_code(exc)
    return code in _GONE_CODES or code.endswith(".NotFound") or "NotFound" in code


# --- deletion -------------------------------------------------------------------------

def _delete_vpc_children(ec2, vpc_id):
    vpc_filter = [{"Name": "vpc-id", "Values": [vpc_id]}]
    for gw in ec2.describe_nat_gateways(Filters=vpc_filter, aws_retry=True)["NatGateways"]:
        if gw["State"] not in ("deleted", "deleting"):
            ec2.delete_nat_gateway(NatGatewayId=gw["NatGatewayId"], aws_retry=True)
    for eni in ec2.describe_network_interfaces(Filters=vpc_filter, aws_retry=True)["NetworkInterfaces"]:
        if eni.get("Status") == "available":
            ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"], aws_retry=True)
    for igw in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}],
                                              aws_retry=True)["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id, aws_retry=True)
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], aws_retry=True)
    for subnet in ec2.describe_subnets(Filters=vpc_filter, aws_retry=True)["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"], aws_retry=True)
    for table in ec2.describe_route_tables(Filters=vpc_filter, aws_retry=True)["RouteTables"]:
        if any(a.get("Main") for a in table.get("Associations", [])):
            continue
        for assoc in table.get("Associations", []):
            ec2.disassociate_route_table(AssociationId=assoc["RouteTableAssociationId"], aws_retry=True)
        ec2.delete_route_table(RouteTableId=table["RouteTableId"], aws_retry=True)
    for group in ec2.describe_security_groups(Filters=vpc_filter, aws_retry=True)["SecurityGroups"]:
        if group["GroupName"] != "default":
            ec2.delete_security_group(GroupId=group["GroupId"], aws_retry=True)


def _delete_one(client, record):
    kind, ident = record["type"], record["id"]
    if kind == "eks:cluster":
        eks = client("eks")
        for ng in _aws.paginate(eks, "list_nodegroups", clusterName=ident).get("nodegroups", []):
            eks.delete_nodegroup(clusterName=ident, nodegroupName=ng, aws_retry=True)
        eks.delete_cluster(name=ident, aws_retry=True)
    elif kind == "elasticloadbalancing:loadbalancer":
        client("elbv2").delete_load_balancer(LoadBalancerArn=record["arn"], aws_retry=True)
    elif kind == "elasticloadbalancing:targetgroup":
        client("elbv2").delete_target_group(TargetGroupArn=record["arn"], aws_retry=True)
    elif kind == "ec2:natgateway":
        client("ec2").delete_nat_gateway(NatGatewayId=ident, aws_retry=True)
    elif kind == "ec2:elastic-ip":
        ec2 = client("ec2")
        for address in ec2.describe_addresses(AllocationIds=[ident], aws_retry=True)["Addresses"]:
            if address.get("AssociationId"):
                ec2.disassociate_address(AssociationId=address["AssociationId"], aws_retry=True)
        ec2.release_address(AllocationId=ident, aws_retry=True)
    elif kind == "ec2:flow-log":
        client("ec2").delete_flow_logs(FlowLogIds=[ident], aws_retry=True)
    elif kind == "ec2:launch-template":
        client("ec2").delete_launch_template(LaunchTemplateId=ident, aws_retry=True)
    elif kind == "ec2:network-interface":
        client("ec2").delete_network_interface(NetworkInterfaceId=ident, aws_retry=True)
    elif kind == "ec2:security-group":
        client("ec2").delete_security_group(GroupId=ident, aws_retry=True)
    elif kind == "ec2:route-table":
        ec2 = client("ec2")
        for table in ec2.describe_route_tables(RouteTableIds=[ident], aws_retry=True)["RouteTables"]:
            for assoc in table.get("Associations", []):
                if not assoc.get("Main"):
                    ec2.disassociate_route_table(AssociationId=assoc["RouteTableAssociationId"], aws_retry=True)
        ec2.delete_route_table(RouteTableId=ident, aws_retry=True)
    elif kind == "ec2:internet-gateway":
        ec2 = client("ec2")
        for igw in ec2.describe_internet_gateways(InternetGatewayIds=[ident], aws_retry=True)["InternetGateways"]:
            for attachment in igw.get("Attachments", []):
                ec2.detach_internet_gateway(InternetGatewayId=ident, VpcId=attachment["VpcId"], aws_retry=True)
        ec2.delete_internet_gateway(InternetGatewayId=ident, aws_retry=True)
    elif kind == "ec2:subnet":
        client("ec2").delete_subnet(SubnetId=ident, aws_retry=True)
    elif kind == "ec2:vpc":
        ec2 = client("ec2")
        try:
            ec2.delete_vpc(VpcId=ident, aws_retry=True)
        except ClientError as exc:
            if _aws.error_code(exc) != "DependencyViolation":
                raise
            _delete_vpc_children(ec2, ident)
            ec2.delete_vpc(VpcId=ident, aws_retry=True)
    elif kind == "logs:log-group":
        client("logs").delete_log_group(logGroupName=ident, aws_retry=True)
    elif kind == "kms:key":
        kms = client("kms")
        for alias in _aws.paginate(kms, "list_aliases", KeyId=ident).get("Aliases", []):
            kms.delete_alias(AliasName=alias["AliasName"], aws_retry=True)
        kms.schedule_key_deletion(KeyId=ident, PendingWindowInDays=7, aws_retry=True)
    elif kind == "iam:role":
        iam = client("iam")
        for policy in _aws.paginate(iam, "list_attached_role_policies", RoleName=ident).get("AttachedPolicies", []):
            iam.detach_role_policy(RoleName=ident, PolicyArn=policy["PolicyArn"], aws_retry=True)
        for name in _aws.paginate(iam, "list_role_policies", RoleName=ident).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=ident, PolicyName=name, aws_retry=True)
        profiles = _aws.paginate(iam, "list_instance_profiles_for_role", RoleName=ident).get("InstanceProfiles", [])
        for profile in profiles:
            iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=ident,
                                                  aws_retry=True)
        iam.delete_role(RoleName=ident, aws_retry=True)
    elif kind == "iam:oidc-provider":
        client("iam").delete_open_id_connect_provider(OpenIDConnectProviderArn=record["arn"], aws_retry=True)
    else:
        raise OwnedError("do not know how to delete %s (%s); delete it by hand" % (record["arn"], kind),
                         resource=record["arn"])


def delete(client, records, timeout=600, clock=None):
    """Delete ``records`` in dependency order, retrying those that still have dependants,
    until all are gone or ``timeout`` passes. Returns the ARNs deleted."""
    pending = sorted(records, key=_order_key)
    deleted, last_errors = [], {}

    def attempt():
        for record in list(pending):
            try:
                _delete_one(client, record)
            except ClientError as exc:
                if _gone(exc):
                    pending.remove(record)
                    deleted.append(record["arn"])
                    continue
                last_errors[record["arn"]] = "%s: %s" % (_aws.error_code(exc), exc)
                continue
            pending.remove(record)
            deleted.append(record["arn"])
        return not pending, "; ".join("%s (%s)" % (arn, err) for arn, err in sorted(last_errors.items())
                                      if any(r["arn"] == arn for r in pending)) or "done"

    done, observed, dummy, dummy = poll(attempt, timeout, initial=2.0, cap=15.0, clock=clock)
    if not done:
        raise OwnedError("could not delete %d resource(s) within %ss: %s" % (len(pending), timeout, observed),
                         remaining=[r["arn"] for r in pending], deleted=deleted)
    return deleted
