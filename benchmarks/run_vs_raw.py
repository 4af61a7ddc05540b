# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The orchestration tax: each playbook run against the raw engine calls it cannot avoid,
measured in one process, one environment, one sitting, on the local engines.

    python benchmarks/run_vs_raw.py [--out benchmarks/results/run_vs_raw.json]

Playbook side: site.yml first run (from a clean slate, no local image), no-op re-run,
--check, and teardown.yml. Raw side, with the same inputs (the Terraform variables the
playbook wrote, the same Dockerfile, registry, manifests and record):
- first run: terraform init + apply of the eks and the edge modules, docker build
  (--no-cache), docker login + push, kubectl apply of the app's manifests + rollout wait
  (when the local cluster runs), Route53 UPSERT + wait for INSYNC;
- no-op: terraform plan of both modules (with refresh), STS GetCallerIdentity, the
  registry's manifest for the version tag, the Route53 record list, the load balancer, and
  what the gates read from the local cluster when it runs (/readyz, nodes, kube-system's
  workloads, the app's Deployment and pods, a privileged pod's server-side dry run);
- teardown: kubectl delete of the namespace, the Route53 DELETE, terraform destroy of both.
It prints and writes the ratios run/raw. Nothing here is a test: no threshold is asserted.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "inventories", "local", "hosts.yml")
# The benchmark's own engines, apart from a demo's and the tests'.
BENCH_ENV = {"DOCC_STATE_DIR": os.path.join(ROOT, ".cache", "docc-bench"), "DOCC_MOTO_PORT": "14055",
             "DOCC_REGISTRY_PORT": "14000", "DOCC_K8S_PORT_BASE": "14400", "DOCC_K8S_BRIDGE": "doccb0",
             "DOCC_K8S_POD_CIDR": "10.90.0.0/24"}
EDGE_FROM_EKS = {"vpc_id": "vpc_id", "vpc_cidr": "vpc_cidr_block", "public_subnet_ids": "public_subnet_ids",
                 "node_security_group_id": "node_security_group_id", "oidc_provider_arn": "oidc_provider_arn",
                 "oidc_issuer_url": "oidc_issuer_url"}


def env():
    base = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), NO_COLOR="1", ANSIBLE_NOCOLOR="1",
                TF_CLI_CONFIG_FILE=os.path.join(ROOT, ".cache", "terraform.rc"))
    for key, value in BENCH_ENV.items():
        base.setdefault(key, value)
    return base


ENV = env()
STATE = ENV["DOCC_STATE_DIR"]


def run(argv, check=True, **kwargs):
    proc = subprocess.run(argv, env=kwargs.pop("env", ENV), capture_output=True, text=True, check=False, **kwargs)
    if check and proc.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(argv), proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc


@contextlib.contextmanager
def clock(results, name):
    started = time.monotonic()
    yield
    results[name] = round(time.monotonic() - started, 2)
    print("  %-34s %7.2f s" % (name, results[name]), flush=True)


def playbook(name, *args):
    proc = run(["ansible-playbook", os.path.join(ROOT, "playbooks", name), "-i", INVENTORY, *args], check=False)
    if proc.returncode != 0:
        sys.exit("ansible-playbook %s %s failed:\n%s" % (name, " ".join(args), proc.stdout[-4000:]))
    recap = [line for line in proc.stdout.splitlines() if line.startswith("localhost ")][-1]
    return recap


def published():
    with open(os.path.join(STATE, "local-env.json")) as handle:
        return json.load(handle)


def aws_environment():
    """What the playbooks export to every AWS client (playbooks/vars/aws_environment.yml)."""
    info = published()
    ENV.update(AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="eu-west-1", AWS_ENDPOINT_URL=info["aws_endpoint_url"],
               AWS_PROFILE=info["aws_profile"], AWS_SHARED_CREDENTIALS_FILE=info["aws_shared_credentials_file"])


def outputs():
    found = {}
    for path in glob.glob(os.path.join(STATE, "outputs", "*.json")):
        with open(path) as handle:
            found.update(json.load(handle))
    return found


def docker(*args, **kwargs):
    return run(["docker", "-H", published()["docker_host"], *args], **kwargs)


def forget_local_images():
    """No local copy of the sample image and no build cache: both sides build from scratch."""
    images = docker("images", "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout.split()
    ours = [i for i in images if "/domain/docc-sample" in i]
    if ours:
        docker("rmi", "-f", *ours, check=False)
    docker("image", "prune", "-f", check=False)


def aws_client(service):
    import boto3
    info = published()
    creds = configparser.ConfigParser()
    creds.read(info["aws_shared_credentials_file"])
    section = creds[info["aws_profile"]]
    return boto3.client(service, endpoint_url=info["aws_endpoint_url"], region_name="eu-west-1",
                        aws_access_key_id=section["aws_access_key_id"],
                        aws_secret_access_key=section["aws_secret_access_key"])


def copy_stack(work_dir, into):
    os.makedirs(into)
    for name in glob.glob(os.path.join(work_dir, "*.tf")) + [os.path.join(work_dir, ".terraform.lock.hcl")]:
        shutil.copy(name, into)
    with open(os.path.join(work_dir, "docc.auto.tfvars.json")) as handle:
        return json.load(handle)


def terraform(directory, *args):
    flags = ["-no-color"] if args[0] == "output" else ["-input=false", "-no-color"]
    return run(["terraform", "-chdir=%s" % directory, *args, *flags])


def registry_password():
    with open(published()["registry_password_file"]) as handle:
        return handle.read().strip()


def kubeconfig():
    kube = published()["kubernetes"]
    return kube.get("kubeconfig") if kube.get("mode") != "skip" else None


def raw_reads(results, image_tag):
    import base64
    import urllib.request
    info = published()
    for stack, name in (("eks", "eks"), ("ingress", "edge")):
        with clock(results, "raw: terraform plan " + name):
            proc = run(["terraform", "-chdir=" + os.path.join(STATE, stack), "plan", "-lock=false", "-input=false",
                        "-no-color", "-detailed-exitcode"], check=False,
                       env=dict(ENV, TF_DATA_DIR=os.path.join(STATE, stack, ".terraform")))
        if proc.returncode not in (0, 2):
            sys.exit("raw terraform plan of %s failed:\n%s" % (stack, proc.stderr[-3000:]))
    with clock(results, "raw: sts + registry + route53"):
        aws_client("sts").get_caller_identity()
        url = "http://%s/v2/domain/docc-sample/manifests/%s" % (info["registry"], image_tag)
        request = urllib.request.Request(url, method="HEAD")  # noqa: S310 - http:// on loopback, built here
        request.add_header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
        token = base64.b64encode(("%s:%s" % (info["registry_username"], registry_password())).encode()).decode()
        request.add_header("Authorization", "Basic " + token)
        urllib.request.urlopen(request, timeout=10).read()  # noqa: S310
        route53 = aws_client("route53")
        zone = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "docc.domain.io."][0]
        route53.list_resource_record_sets(HostedZoneId=zone["Id"])
    with clock(results, "raw: elbv2 describe load balancer"):
        aws_client("elbv2").describe_load_balancers(Names=["docc-edge"])
    if kubeconfig():
        kube = ["kubectl", "--kubeconfig", kubeconfig()]
        # What the gates read: /readyz, the nodes, kube-system's workloads, the app's
        # Deployment and pods, and the admission of a privileged pod (a server-side dry run).
        with clock(results, "raw: kubectl reads (gates)"):
            run(kube + ["get", "--raw", "/readyz"])
            run(kube + ["get", "nodes", "-o", "json"])
            run(kube + ["-n", "kube-system", "get", "daemonsets,deployments", "-o", "json"])
            run(kube + ["-n", "docc-sample", "get", "deployment,pods", "-o", "json"])
            privileged = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "privileged-probe"},
                                     "spec": {"containers": [{"name": "x", "image": "x",
                                                              "securityContext": {"privileged": True}}]}})
            run(kube + ["-n", "docc-sample", "create", "--dry-run=server", "-f", "-"], input=privileged, check=False)


def raw_first_run(results, work, tfvars_eks, tfvars_edge, app_dir):
    info = published()
    eks_dir, edge_dir = os.path.join(work, "eks"), os.path.join(work, "edge")
    with clock(results, "raw: terraform init+apply eks"):
        terraform(eks_dir, "init")
        terraform(eks_dir, "apply", "-auto-approve")
    eks_out = {k: v["value"] for k, v in json.loads(terraform(eks_dir, "output", "-json").stdout).items()}
    tfvars_edge = dict(tfvars_edge, **{var: eks_out[out] for var, out in EDGE_FROM_EKS.items()})
    with open(os.path.join(edge_dir, "docc.auto.tfvars.json"), "w") as handle:
        json.dump(tfvars_edge, handle)
    with clock(results, "raw: terraform init+apply edge"):
        terraform(edge_dir, "init")
        terraform(edge_dir, "apply", "-auto-approve")
    edge_out = {k: v["value"] for k, v in json.loads(terraform(edge_dir, "output", "-json").stdout).items()}
    name = "%s/domain/docc-sample-raw:bench" % info["registry"]
    with clock(results, "raw: docker build"):
        docker("build", "--no-cache", "--network", "none", "--build-arg", "BUILDER_IMAGE=" + info["builder_image"],
               "-t", name, os.path.join(ROOT, "sample"))
    config = tempfile.mkdtemp(prefix="docker-config-")
    with clock(results, "raw: docker login+push"):
        run(["docker", "-H", info["docker_host"], "--config", config, "login", "-u", info["registry_username"],
             "--password-stdin", info["registry"]], input=registry_password())
        run(["docker", "-H", info["docker_host"], "--config", config, "push", name])
    shutil.rmtree(config)
    if kubeconfig() and app_dir:
        kube = ["kubectl", "--kubeconfig", kubeconfig()]
        with clock(results, "raw: kubectl apply app + rollout"):
            run(kube + ["apply", "-f", os.path.join(app_dir, "01-namespace-docc-sample.yaml")])
            run(kube + ["-n", "docc-sample", "create", "secret", "docker-registry", "docc-sample-registry",
                        "--docker-server", info["registry"], "--docker-username", info["registry_username"],
                        "--docker-password", registry_password()])
            run(kube + ["apply", "-f", app_dir])
            run(kube + ["-n", "docc-sample", "rollout", "status", "deployment/docc-sample", "--timeout=300s"])
    route53 = aws_client("route53")
    with clock(results, "raw: route53 upsert + INSYNC"):
        zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "docc.domain.io."]
        zone = zones[0]["Id"] if zones else route53.create_hosted_zone(
            Name="docc.domain.io", CallerReference=str(time.time()))["HostedZone"]["Id"]
        change = route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": {
                "Name": "service.docc.domain.io", "Type": "A", "AliasTarget": {
                    "HostedZoneId": edge_out["load_balancer_zone_id"], "DNSName": edge_out["load_balancer_hostname"],
                    "EvaluateTargetHealth": False}}},
            {"Action": "UPSERT", "ResourceRecordSet": {
                "Name": "a-service.docc.domain.io", "Type": "TXT", "TTL": 300, "ResourceRecords": [
                    {"Value": '"heritage=external-dns,external-dns/owner=docc-platform"'}]}}]})["ChangeInfo"]
        while route53.get_change(Id=change["Id"])["ChangeInfo"]["Status"] != "INSYNC":
            time.sleep(0.2)
    return zone, edge_out


def raw_teardown(results, work, zone, edge_out, app_dir):
    if kubeconfig() and app_dir:
        with clock(results, "raw: kubectl delete namespace"):
            run(["kubectl", "--kubeconfig", kubeconfig(), "delete", "namespace", "docc-sample", "--wait=true"])
    route53 = aws_client("route53")
    with clock(results, "raw: route53 delete"):
        records = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
        ours = [r for r in records if r["Name"] in ("service.docc.domain.io.", "a-service.docc.domain.io.")]
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "DELETE", "ResourceRecordSet": r} for r in ours]})
    with clock(results, "raw: terraform destroy edge"):
        terraform(os.path.join(work, "edge"), "destroy", "-auto-approve")
    with clock(results, "raw: terraform destroy eks"):
        terraform(os.path.join(work, "eks"), "destroy", "-auto-approve")


def render_app(image, into):
    """The app's manifests as the role renders them, for kubectl (the raw side)."""
    info = published()
    run(["ansible-playbook", os.path.join(ROOT, "tests", "static", "render.yml"), "-e", "render_dir=" + into,
         "-e", json.dumps({"app_deploy_image": image, "app_deploy_registry_auth": "password",
                           "app_deploy_registry_username": info["registry_username"],
                           "app_deploy_registry_password": "rendered-never", "app_deploy_kubernetes":
                           {"mode": "skip", "skip_reason": "rendered for the benchmark"}})])
    return os.path.join(into, "app")


def ratio(numerator, denominator):
    return round(numerator / denominator, 2) if denominator else None


def tasks_of(recap):
    """Tasks a run went through (ok includes changed; skipped ones cost a little too)."""
    counts = dict(part.split("=") for part in recap.split(":", 1)[1].split())
    return {"ran": int(counts["ok"]) + int(counts["failed"]), "skipped": int(counts["skipped"]),
            "changed": int(counts["changed"])}


def phase(run_s, raw_s, recap):
    """One phase: run and raw seconds, their ratio, the tasks, and the share of the run spent
    outside the engine calls it cannot avoid."""
    return {"run_s": run_s, "raw_s": round(raw_s, 2), "ratio": ratio(run_s, raw_s), "tasks": tasks_of(recap),
            "outside_engine_share": round(max(0.0, 1 - raw_s / run_s), 2) if run_s else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "run_vs_raw.json"))
    args = parser.parse_args()
    results = {}
    print("engines (%s) ..." % STATE, flush=True)
    shutil.rmtree(os.path.join(STATE, "registry", "data"), ignore_errors=True)
    playbook("local_env.yml")
    aws_environment()
    playbook("teardown.yml")
    forget_local_images()

    print("playbooks:", flush=True)
    with clock(results, "site.yml first run"):
        first = playbook("site.yml")
    with clock(results, "site.yml no-op re-run"):
        noop = playbook("site.yml")
    with clock(results, "site.yml --check"):
        check = playbook("site.yml", "--check")
    found = outputs()
    image_tag = found["container_image_tags"][0] if found.get("container_image_tags") else "0.2.0"
    print("raw reads of the converged platform:", flush=True)
    raw_reads(results, image_tag)
    work = tempfile.mkdtemp(prefix="bench-raw-")
    tfvars_eks = copy_stack(os.path.join(STATE, "eks"), os.path.join(work, "eks"))
    tfvars_edge = copy_stack(os.path.join(STATE, "ingress"), os.path.join(work, "edge"))
    with open(os.path.join(work, "eks", "docc.auto.tfvars.json"), "w") as handle:
        json.dump(tfvars_eks, handle)
    app_dir = render_app(found["container_image_reference"], os.path.join(work, "rendered")) if kubeconfig() else None
    with clock(results, "teardown.yml"):
        down = playbook("teardown.yml")

    print("raw engine calls from a clean slate:", flush=True)
    forget_local_images()
    zone, edge_out = raw_first_run(results, work, tfvars_eks, tfvars_edge, app_dir)
    raw_teardown(results, work, zone, edge_out, app_dir)
    shutil.rmtree(work)

    raw = {k: v for k, v in results.items() if k.startswith("raw: ")}
    first_raw = sum(v for k, v in raw.items() if any(w in k for w in ("apply", "build", "push", "upsert")))
    reads_raw = sum(v for k, v in raw.items() if any(w in k for w in ("plan", "sts", "describe", "reads")))
    destroy_raw = sum(v for k, v in raw.items() if any(w in k for w in ("destroy", "delete")))
    summary = {
        "first_run": phase(results["site.yml first run"], first_raw, first),
        "no_op": phase(results["site.yml no-op re-run"], reads_raw, noop),
        "check": phase(results["site.yml --check"], reads_raw, check),
        "teardown": phase(results["teardown.yml"], destroy_raw, down),
    }
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
              "kubernetes": published()["kubernetes"].get("mode"), "recaps": {
                  "first": first, "no_op": noop, "check": check, "teardown": down},
              "seconds": results, "ratios": summary}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print(json.dumps(summary, indent=2))
    playbook("local_env.yml", "-e", "local_env_state=absent")


if __name__ == "__main__":
    main()
