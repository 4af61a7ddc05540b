# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""site.yml on the local engines, in order: it converges and prints its summary, changes
nothing the second time (and in check mode), reports drift, runs one stage by tag, tears
down to zero, refuses a stage whose inputs are gone, drains a controller-made load balancer,
and runs the same from the built and installed collection."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess

from tests.e2e.conftest import aws, published
from tests.playbook_runner import INVENTORY, ROOT, ansible_playbook, state_dir

STAGES = ["eks", "image", "ingress", "app", "dns", "verify"]
ROLES = ["eks_cluster", "container_image", "ingress_controller", "app_deploy", "dns_record"]
OURS = [{"Name": "tag:docc.platform/cluster", "Values": ["docc"]}]


def site(*args, **kwargs):
    return ansible_playbook("playbooks/site.yml", "-i", INVENTORY, *args, **kwargs)


def teardown(*args):
    return ansible_playbook("playbooks/teardown.yml", "-i", INVENTORY, *args)


def role_tasks(output):
    """Stage roles whose own tasks ran: core's argument validation (tagged always) and the lifecycle
    role `stage` (every run's preflight loads the exported outputs with it) left out."""
    return {m.group(1) for m in re.finditer(r"^TASK \[docc\.platform\.(\w+) : (.*?)\]", output, re.M)
            if not m.group(2).startswith("Validating arguments")} - {"stage"}


def test_env_up_twice_changes_nothing(engines):
    assert engines["second"].recap["changed"] == 0


def test_site_converges_prints_its_summary_then_changes_nothing(engines):
    first = site()
    assert first.rc == 0, first
    assert role_tasks(first.output) == set(ROLES)
    with open(os.path.join(state_dir(), "summary.json")) as handle:
        summary = json.load(handle)
    assert summary["cluster"].endswith(":cluster/docc")
    assert summary["image"].startswith(published()["registry"] + "/domain/docc-sample@sha256:")
    assert summary["load_balancer"] and summary["dns_record"] == "service.docc.domain.io"
    # Every stage ran, timed by the docc.platform.stages callback.
    assert set(summary["stage_seconds"]) == set(STAGES), summary["stage_seconds"]
    # Every stage did real work or says why not: the emulator's DNS and HTTP are named as skipped.
    assert any(n.startswith("verify dns: SKIPPED: ") for n in summary["skipped_or_rendered"])
    assert "image:          " + summary["image"] in first.output  # printed, not only written
    second = site()
    assert second.rc == 0 and second.recap["changed"] == 0, second
    check = site("--check", "--diff")
    assert check.rc == 0 and check.recap["changed"] == 0, check


def _ingress_hosts():
    """The hosts of the app's Ingress: from the cluster when one runs, else from the rendered files."""
    kubernetes = published()["kubernetes"]
    if kubernetes["mode"] != "skip":
        out = subprocess.run(["kubectl", "--kubeconfig", kubernetes["kubeconfig"], "get", "ingress", "-n",
                              "docc-sample", "-o", "jsonpath={.items[*].spec.rules[*].host}"],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()
    hosts = []
    for path in glob.glob(os.path.join(state_dir(), "rendered", "app", "*ingress*.yaml")):
        with open(path) as handle:
            hosts += re.findall(r"^\s*- host: (\S+)$", handle.read(), re.M)
    return hosts


def _service_records():
    route53 = aws("route53")
    zone = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "docc.domain.io."][0]["Id"]
    return sorted(r["Name"] for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
                  if r["Type"] == "A")


def test_one_service_hostname_moves_the_ingress_and_the_record_together(engines):
    """docc_service_hostname is set once: the Ingress answers on it and the record is named after
    it; the record at the old name goes in the same change."""
    assert _ingress_hosts() == ["service.docc.domain.io"] and _service_records() == ["service.docc.domain.io."]
    moved = site("--tags", "app,dns", "-e", "docc_service_hostname=www.docc.domain.io")
    assert moved.rc == 0, moved
    assert _ingress_hosts() == ["www.docc.domain.io"]
    assert _service_records() == ["www.docc.domain.io."]
    back = site("--tags", "app,dns")
    assert back.rc == 0, back
    assert _ingress_hosts() == ["service.docc.domain.io"] and _service_records() == ["service.docc.domain.io."]


def upgrade(*args):
    return ansible_playbook("playbooks/upgrade.yml", "-i", INVENTORY, *args)


def test_an_upgrade_to_the_running_version_checks_everything_and_changes_nothing(engines):
    """The platform runs 1.36: upgrade.yml checks, records, and the second run changes nothing. What the
    emulator cannot do (UpdateClusterVersion, insights) is said OFF in the record."""
    first = upgrade()
    assert first.rc == 0, first
    with open(os.path.join(state_dir(), "upgrade.json")) as handle:
        record = json.load(handle)
    assert record["from"] == record["to"] == "1.36" and record["result"] == "nothing to do", record
    assert "does not implement" in record["off"]["updates"], record
    assert record["failed_requests"] is None and record["rollback_deadline"] is None
    again = upgrade()
    assert again.rc == 0 and again.recap["changed"] == 0, again
    check = upgrade("--check")
    assert check.rc == 0 and "3. control plane 1.36 -> 1.36" in check.output, check


def test_an_upgrade_that_skips_a_minor_version_is_refused_naming_both(engines):
    run = upgrade("-e", "eks_cluster_kubernetes_version=1.38")
    assert run.rc != 0
    assert "eks_cluster_kubernetes_version 1.38" in run.output and "runs 1.36" in run.output, run
    assert "skips a minor version" in run.output, run


def test_an_upgrade_is_refused_when_a_chart_does_not_admit_the_target(engines, tmp_path):
    fixtures = os.path.join(ROOT, "tests", "fixtures", "charts")
    chart = tmp_path / "fixture-ingress"
    shutil.copytree(os.path.join(fixtures, "fixture-ingress"), chart)
    with open(chart / "Chart.yaml", "a") as handle:
        handle.write('kubeVersion: "<1.36.0-0"\n')
    charts = {"ingress_controller_chart_ref": str(chart), "ingress_controller_chart_version": "0.1.0",
              "ingress_controller_lbc_chart_ref": os.path.join(fixtures, "fixture-lbc"),
              "ingress_controller_lbc_chart_repo_url": "", "ingress_controller_lbc_chart_version": "0.1.0"}
    run = upgrade("-e", json.dumps(charts))
    assert run.rc != 0
    assert "The upgrade to 1.36 is refused (nothing has changed)" in run.output, run
    assert "kubeVersion" in run.output and "<1.36.0-0" in run.output, run


def test_an_upgrade_is_refused_while_a_manifest_uses_an_api_the_target_does_not_serve(engines):
    # The app's render directory: the app stage writes it when no cluster answers; with the local
    # cluster it applies instead, and the test makes the directory (and removes what it made).
    render_dir = os.path.join(state_dir(), "rendered", "app")
    made = not os.path.isdir(render_dir)
    os.makedirs(render_dir, exist_ok=True)
    legacy = os.path.join(render_dir, "99-poddisruptionbudget-legacy.yaml")
    with open(legacy, "w") as handle:
        handle.write("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: legacy}\n"
                     "spec: {minAvailable: 1, selector: {matchLabels: {app: legacy}}}\n")
    try:
        run = upgrade()
    finally:
        os.remove(legacy)
        if made:
            shutil.rmtree(render_dir)
    assert run.rc != 0
    assert "policy/v1beta1" in run.output and "The upgrade to 1.36 is refused" in run.output, run


def test_a_rollback_on_the_emulator_says_why_it_cannot(engines):
    run = ansible_playbook("playbooks/rollback.yml", "-i", INVENTORY)
    assert run.rc != 0
    assert "does not implement ListUpdates and UpdateClusterVersion" in run.output, run


def test_drift_behind_terraforms_back_is_reported_and_put_back(engines):
    ec2 = aws("ec2")
    vpc = ec2.describe_vpcs(Filters=OURS)["Vpcs"][0]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "docc.platform/cluster", "Value": "tampered"}])
    run = site("--tags", "eks")
    assert run.rc == 0, run
    assert "eks: DRIFT: aws_vpc.this changed outside Terraform" in run.output, run
    assert run.recap["changed"] > 0
    tags = {t["Key"]: t["Value"] for t in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]}
    assert tags["docc.platform/cluster"] == "docc"
    again = site("--tags", "eks")
    assert again.rc == 0 and again.recap["changed"] == 0, again


def test_a_stage_tag_runs_only_that_stage(engines):
    run = site("--tags", "dns")
    assert run.rc == 0 and run.recap["changed"] == 0, run
    assert role_tasks(run.output) == {"dns_record"}


def test_teardown_leaves_nothing_of_ours(engines):
    run = teardown()
    assert run.rc == 0, run
    ec2 = aws("ec2")
    assert aws("eks").list_clusters()["clusters"] == []
    assert ec2.describe_vpcs(Filters=OURS)["Vpcs"] == []
    assert ec2.describe_subnets(Filters=OURS)["Subnets"] == []
    assert ec2.describe_security_groups(Filters=OURS)["SecurityGroups"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith("docc-")] == []
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/aws/eks/docc")["logGroups"] == []
    zones = aws("route53").list_hosted_zones()["HostedZones"]
    for zone in zones:
        records = aws("route53").list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        assert [r["Name"] for r in records if r["Type"] not in ("SOA", "NS")] == []
    kubernetes = published()["kubernetes"]
    if kubernetes["mode"] != "skip":
        out = subprocess.run(["kubectl", "--kubeconfig", kubernetes["kubeconfig"], "get", "namespace", "docc-sample",
                              "-o", "name", "--ignore-not-found"], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == ""
    again = teardown()
    assert again.rc == 0 and again.recap["changed"] == 0, again


def test_a_stage_alone_after_teardown_names_its_missing_input(engines):
    run = site("--tags", "ingress")
    assert run.rc != 0
    assert "ingress_controller_cluster_name" in run.output and "run the eks stage first" in run.output, run


def test_teardown_drains_a_load_balancer_a_controller_made(engines):
    run = site("--tags", "eks,ingress", "-e", "ingress_controller_edge_mode=controller")
    assert run.rc == 0, run
    outputs = {}
    for path in glob.glob(os.path.join(state_dir(), "outputs", "*.json")):
        with open(path) as handle:
            outputs.update(json.load(handle))
    # What the AWS Load Balancer Controller makes for a Service of type LoadBalancer, made
    # here through the emulator's API, as the controller would (no controller runs here).
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    tags = [{"Key": "elbv2.k8s.aws/cluster", "Value": "docc"}, {"Key": "service.k8s.aws/stack", "Value": "ingress/x"}]
    group = ec2.create_security_group(GroupName="k8s-ingress-x", Description="made by the controller",
                                      VpcId=outputs["eks_cluster_vpc_id"],
                                      TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}])["GroupId"]
    lb = elbv2.create_load_balancer(Name="k8s-ingress-x", Type="network", Scheme="internet-facing",
                                    Subnets=outputs["eks_cluster_public_subnet_ids"], Tags=tags)["LoadBalancers"][0]
    target = elbv2.create_target_group(Name="k8s-ingress-x", Protocol="TCP", Port=80, TargetType="ip",
                                       VpcId=outputs["eks_cluster_vpc_id"], Tags=tags)["TargetGroups"][0]
    down = teardown()
    assert down.rc == 0, down
    assert elbv2.describe_load_balancers()["LoadBalancers"] == [], lb["LoadBalancerArn"]
    assert elbv2.describe_target_groups()["TargetGroups"] == [], target["TargetGroupArn"]
    assert [g for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupId"] == group] == []
    assert ec2.describe_vpcs(Filters=OURS)["Vpcs"] == []


def test_the_built_collection_installs_offline_and_runs_site(engines, tmp_path):
    subprocess.run(["ansible-galaxy", "collection", "build", "--force", "--output-path", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    tarball = glob.glob(str(tmp_path / "docc-platform-*.tar.gz"))
    assert len(tarball) == 1
    install_dir = tmp_path / "collections"
    # Outside the checkout: neither its ansible.cfg nor its .collections link is seen.
    empty_cfg = tmp_path / "ansible.cfg"
    empty_cfg.write_text("[defaults]\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(install_dir), ANSIBLE_CONFIG=str(empty_cfg),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    subprocess.run(["ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", str(install_dir),
                    tarball[0]], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    installed = install_dir / "ansible_collections" / "docc" / "platform"
    assert (installed / "playbooks" / "site.yml").is_file()
    assert not (installed / ".venv").exists() and not (installed / ".cache").exists()
    # Installed from the tarball, the sources carry no git revision: another image than the
    # checkout's, so it is published under its own version (a published tag never moves).
    run = ansible_playbook("docc.platform.site", "-i", INVENTORY, "-e", "container_image_version=0.2.0-installed",
                           env=env, cwd=str(tmp_path))
    assert run.rc == 0, run
    assert "TASK [Stage verify - gate the endpoint" in run.output
    down = ansible_playbook("docc.platform.teardown", "-i", INVENTORY, env=env, cwd=str(tmp_path))
    assert down.rc == 0, down
    assert aws("ec2").describe_vpcs(Filters=OURS)["Vpcs"] == []
