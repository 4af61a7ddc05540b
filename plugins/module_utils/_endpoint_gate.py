# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Endpoint readiness stages: service address, load balancer, DNS, HTTP (private to docc.platform)."""

from __future__ import annotations

import socket

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url

from ansible_collections.docc.platform.plugins.module_utils import _route53
from ansible_collections.docc.platform.plugins.module_utils._waiter import SkipStage

_PATHS = {
    "Service": "/api/v1/namespaces/%s/services/%s",
    "Ingress": "/apis/networking.k8s.io/v1/namespaces/%s/ingresses/%s",
}


def service_address(api, kind, namespace, name, found):
    """Wait for status.loadBalancer.ingress[0].hostname (or ip); store it in found['host']."""
    def check():
        status, body = api.get(_PATHS[kind] % (namespace, name))
        if status == 404:
            return False, "%s %s/%s not found" % (kind, namespace, name)
        if status != 200:
            return False, "GET %s %s/%s -> %d" % (kind, namespace, name, status)
        entries = body.get("status", {}).get("loadBalancer", {}).get("ingress") or []
        for entry in entries:
            host = entry.get("hostname") or entry.get("ip")
            if host:
                found["host"] = host
                return True, "%s %s/%s load balancer %s" % (kind, namespace, name, host)
        return False, "%s %s/%s has no load balancer address yet" % (kind, namespace, name)
    return check


def load_balancer(elbv2, elb, hostname, found):
    """Wait until the ELB API knows a load balancer with DNS name ``hostname`` and it is active."""
    def check():
        lb = _route53.resolve_load_balancer(elbv2, elb, hostname)
        if lb is None:
            return False, "no ELBv2 or classic load balancer has the DNS name %s" % hostname
        found["load_balancer"] = lb
        return lb["state"] == "active", "%s load balancer %s is %s" % (lb["kind"], lb["name"], lb["state"])
    return check


def resolve(name, resolver=None, port=53):
    """Addresses of ``name``: through the system resolver, or through DNS server ``resolver``."""
    if resolver:
        try:
            import dns.resolver  # dnspython, from requirements.txt
        except ImportError:
            raise SkipStage("resolving through %s needs dnspython (pip install dnspython)" % resolver) from None
        res = dns.resolver.Resolver(configure=False)
        res.nameservers = [resolver]
        res.port = port
        res.lifetime = 5
        addresses = []
        for rtype in ("A", "AAAA"):
            try:
                addresses.extend(r.address for r in res.resolve(name, rtype))
            except dns.resolver.NXDOMAIN as exc:
                raise OSError("NXDOMAIN from %s:%d" % (resolver, port)) from exc
            except dns.resolver.NoAnswer:
                continue
            except dns.exception.DNSException as exc:
                raise OSError("DNS server %s:%d: %s" % (resolver, port, exc)) from exc
        return sorted(set(addresses))
    infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


def dns_check(name, resolver=None, port=53):
    def check():
        try:
            addresses = resolve(name, resolver, port)
        except (OSError, socket.gaierror) as exc:
            return False, "%s does not resolve%s: %s" % (name, " via %s" % resolver if resolver else "", exc)
        if not addresses:
            return False, "%s resolves to no address" % name
        return True, "%s -> %s" % (name, ", ".join(addresses))
    return check


def http_check(url, host_header, expected, validate_certs, timeout=10):
    def check():
        headers = {"Host": host_header} if host_header else {}
        try:
            resp = open_url(url, headers=headers, timeout=timeout, validate_certs=validate_certs, use_proxy=False,
                            follow_redirects="none")
            status = resp.getcode()
        except HTTPError as err:
            status = err.code
        except (URLError, OSError) as exc:
            return False, "GET %s (Host: %s) failed: %s" % (url, host_header, getattr(exc, "reason", exc))
        return status in expected, "GET %s (Host: %s) -> %d" % (url, host_header, status)
    return check
