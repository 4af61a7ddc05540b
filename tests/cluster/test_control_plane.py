"""The harness gives a real API server: it answers /readyz and enforces Pod Security."""

from __future__ import annotations

import uuid

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.cluster import harness


@pytest.fixture()
def api(kubeconfig):
    api_client = config.new_client_from_config(config_file=kubeconfig)
    yield api_client
    api_client.close()


@pytest.fixture()
def restricted_namespace(api):
    core = client.CoreV1Api(api)
    name = "docc-psa-%s" % uuid.uuid4().hex[:8]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(
        name=name, labels={"pod-security.kubernetes.io/enforce": "restricted"})))
    # No controller-manager runs in a bare control plane, so nothing creates the default
    # service account; without it ServiceAccount admission would refuse every pod first.
    core.create_namespaced_service_account(name, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="default")))
    yield name
    core.delete_namespace(name)


def _pod(name, security_context, pod_security_context=None):
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1PodSpec(
            automount_service_account_token=False,
            security_context=pod_security_context,
            containers=[client.V1Container(name="app", image="registry.invalid/docc/app:1",
                                           security_context=security_context)],
        ),
    )


def test_readyz_answers_ok(api):
    status, text = harness.get_raw(api, "/readyz")
    assert status == 200
    assert text.strip() == "ok"


def test_restricted_namespace_rejects_a_privileged_pod(api, restricted_namespace):
    core = client.CoreV1Api(api)
    privileged = _pod("privileged", client.V1SecurityContext(privileged=True))
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod(restricted_namespace, privileged)
    assert err.value.status == 403
    assert "violates PodSecurity" in err.value.body
    assert "privileged" in err.value.body


def test_restricted_namespace_admits_a_compliant_pod(api, restricted_namespace):
    """The negative control: the rejection above is about privilege, not about any pod."""
    core = client.CoreV1Api(api)
    compliant = _pod(
        "compliant",
        client.V1SecurityContext(allow_privilege_escalation=False, run_as_non_root=True, run_as_user=65532,
                                 capabilities=client.V1Capabilities(drop=["ALL"])),
        client.V1PodSecurityContext(seccomp_profile=client.V1SeccompProfile(type="RuntimeDefault")),
    )
    created = core.create_namespaced_pod(restricted_namespace, compliant)
    assert created.metadata.name == "compliant"
