# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_k8s takes what kubernetes.core users already set: the K8S_AUTH_* variables, with
kubernetes.core's precedence (an option given to the module wins)."""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils import _k8s


def test_unset_options_come_from_k8s_auth_variables():
    env = {"K8S_AUTH_KUBECONFIG": "/k/config", "K8S_AUTH_CONTEXT": "prod", "K8S_AUTH_HOST": "https://api:6443",
           "K8S_AUTH_API_KEY": "t0ken", "K8S_AUTH_SSL_CA_CERT": "/k/ca.crt"}
    got = _k8s.with_environment({}, env)
    assert got == {"kubeconfig": "/k/config", "context": "prod", "host": "https://api:6443", "api_key": "t0ken",
                   "ca_cert": "/k/ca.crt"}
    assert _k8s.mode_of(got) == "token"  # a host, as kubernetes.core would use it


def test_an_option_given_wins_over_the_environment_and_ca_cert_prefers_its_own_name():
    env = {"K8S_AUTH_KUBECONFIG": "/env/config", "K8S_AUTH_CA_CERT": "/env/ca", "K8S_AUTH_SSL_CA_CERT": "/env/ssl"}
    got = _k8s.with_environment({"kubeconfig": "/given/config"}, env)
    assert got["kubeconfig"] == "/given/config"
    assert got["ca_cert"] == "/env/ca"


def test_an_eks_token_or_a_skip_takes_nothing_from_the_environment():
    env = {"K8S_AUTH_HOST": "https://elsewhere:6443", "K8S_AUTH_API_KEY": "t0ken"}
    for options in ({"mode": "eks_token", "cluster_name": "docc"}, {"mode": "skip"}):
        assert _k8s.with_environment(options, env) == options


def test_without_variables_nothing_changes():
    assert _k8s.with_environment({"mode": "kubeconfig"}, {}) == {"mode": "kubeconfig"}
