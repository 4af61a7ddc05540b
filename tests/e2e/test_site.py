"""site.yml on the local engines: converges, changes nothing the second time, runs by tag,
tears down, and runs the same from the built and installed collection."""

from __future__ import annotations

import glob
import os
import subprocess

import boto3
import yaml

from tests.e2e.conftest import INVENTORY, ROOT, ansible_playbook

STAGES = ["eks", "ingress", "image", "app", "dns", "verify"]


def test_env_up_twice_changes_nothing_the_second_time(local_engines):
    assert local_engines["first"].recap["failed"] == 0
    assert local_engines["second"].recap["changed"] == 0


def test_site_converges_then_changes_nothing(local_engines):
    first = ansible_playbook("playbooks/site.yml", "-i", INVENTORY)
    assert first.rc == 0, first
    for stage in STAGES:
        assert "PLAY [Stage %s " % stage in first.output, stage
    second = ansible_playbook("playbooks/site.yml", "-i", INVENTORY)
    assert second.rc == 0, second
    assert second.recap["changed"] == 0, second
    check = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--check", "--diff")
    assert check.rc == 0, check
    assert check.recap["changed"] == 0, check


def test_a_tag_runs_only_its_stage(local_engines):
    run = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "dns")
    assert run.rc == 0, run
    assert "dns: SKIPPED: no load balancer host name" in run.output
    for other in set(STAGES) - {"dns"}:
        assert "%s: " % other not in run.output, other


def test_eks_stage_reaches_the_emulator_through_the_endpoint_variable(local_engines):
    run = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "eks")
    assert run.rc == 0, run
    assert "(endpoint http://127.0.0.1:%s)" % os.environ.get("DOCC_MOTO_PORT", "5055") in run.output
    assert "EKS add-ons vpc-cni/coredns/kube-proxy (eks_cluster_enable_addons)" in run.output


def _aws(service):
    """A boto3 client for the emulator, with the local inventory's fake credentials."""
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all.yml")) as handle:
        inventory = yaml.safe_load(handle)
    return boto3.client(service, endpoint_url="http://127.0.0.1:%s" % os.environ.get("DOCC_MOTO_PORT", "5055"),
                        region_name=inventory["docc_aws_region"],
                        aws_access_key_id=inventory["docc_aws_access_key_id"],
                        aws_secret_access_key=inventory["docc_aws_secret_access_key"])


def test_teardown_leaves_nothing_of_ours(local_engines):
    site = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "eks")
    assert site.rc == 0, site
    assert _aws("eks").list_clusters()["clusters"] == ["docc"]
    run = ansible_playbook("playbooks/teardown.yml", "-i", INVENTORY)
    assert run.rc == 0, run
    ours = [{"Name": "tag:docc.platform/cluster", "Values": ["docc"]}]
    ec2 = _aws("ec2")
    assert _aws("eks").list_clusters()["clusters"] == []
    assert ec2.describe_vpcs(Filters=ours)["Vpcs"] == []
    assert ec2.describe_subnets(Filters=ours)["Subnets"] == []
    assert [n for n in ec2.describe_nat_gateways(Filters=ours)["NatGateways"] if n["State"] not in ("deleted",)] == []
    assert ec2.describe_addresses(Filters=ours)["Addresses"] == []
    assert [r for r in _aws("iam").list_roles()["Roles"] if r["RoleName"].startswith("docc-")] == []
    assert _aws("logs").describe_log_groups(logGroupNamePrefix="/aws/eks/docc")["logGroups"] == []
    again = ansible_playbook("playbooks/teardown.yml", "-i", INVENTORY)
    assert again.rc == 0 and again.recap["changed"] == 0, again


def test_built_collection_installs_offline_and_runs_site(local_engines, tmp_path):
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
    assert not (installed / ".venv").exists()
    run = ansible_playbook("docc.platform.site", "-i", INVENTORY, env=env, cwd=str(tmp_path))
    assert run.rc == 0, run
    assert "PLAY [Stage verify " in run.output
    assert "image: 127.0.0.1:" in run.output  # the image stage ran from the installed copy


def test_eks_tokens_never_reach_the_output_even_at_vvv(local_engines):
    site = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "eks")
    assert site.rc == 0, site
    run = ansible_playbook("tests/e2e/playbooks/token_not_logged.yml", "-i", INVENTORY, "-vvv")
    assert run.rc == 0, run
    assert "ESTABLISH LOCAL CONNECTION" in run.output  # really -vvv
    assert "k8s-aws-v1." not in run.output
    assert "X-Amz-Signature" not in run.output
