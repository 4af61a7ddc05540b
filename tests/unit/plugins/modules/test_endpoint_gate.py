# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""endpoint_gate against real loopback servers: a Kubernetes API, a DNS server, the app."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dns.message
import dns.rrset
import pytest

from ansible_collections.docc.platform.plugins.modules import endpoint_gate
from tests.unit.module_runner import run_module

NAME = "service.docc.domain.io"


def _serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture()
def k8s_api():
    state = {"polls": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            state["polls"] += 1
            body = {"kind": "Service", "status": {"loadBalancer": {}}}
            if state["polls"] >= 3:  # the load balancer shows up on the third look
                body["status"]["loadBalancer"] = {"ingress": [{"hostname": "localhost"}]}
            if self.path != "/api/v1/namespaces/ingress/services/controller":
                body, code = {"kind": "Status"}, 404
            else:
                code = 200
            raw = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = _serve(Handler)
    yield "http://127.0.0.1:%d" % server.server_address[1], state
    server.shutdown()
    server.server_close()


@pytest.fixture()
def app():
    state = {"hosts": [], "ready_after": 2}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            state["hosts"].append(self.headers.get("Host"))
            ok = self.headers.get("Host") == NAME and len(state["hosts"]) > state["ready_after"]
            self.send_response(200 if ok else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = _serve(Handler)
    yield "http://127.0.0.1:%d/healthz" % server.server_address[1], state
    server.shutdown()
    server.server_close()


@pytest.fixture()
def dns_server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(512)
            except OSError:
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            if question.name.to_text() == NAME + "." and dns.rdatatype.to_text(question.rdtype) == "A":
                response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", "127.0.0.1"))
            elif question.name.to_text() != NAME + ".":
                response.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    sock.close()


def _fast(**kwargs):
    args = {"timeout": 20, "initial_interval": 0.05, "max_interval": 0.2}
    args.update(kwargs)
    return args


def test_load_balancer_dns_and_http_become_ready(k8s_api, app, dns_server):
    api_url, api_state = k8s_api
    url, app_state = app
    failed, result = run_module(endpoint_gate.main, _fast(
        resource={"kind": "Service", "namespace": "ingress", "name": "controller"},
        kubernetes={"host": api_url, "api_key": "docc-endpoint-token-1"},
        skip_stages={"load_balancer": "localhost is not an AWS load balancer"},
        dns_name=NAME, resolver="127.0.0.1", resolver_port=dns_server, url=url))
    assert not failed, result
    stages = {s["name"]: s for s in result["stages"]}
    assert result["hostname"] == "localhost"
    assert stages["service_address"]["polls"] == 3
    assert stages["load_balancer"]["skipped"]
    assert stages["dns"]["observed"] == NAME + " -> 127.0.0.1"
    assert stages["http"]["ok"] and stages["http"]["polls"] == 3
    assert set(app_state["hosts"]) == {NAME}


def test_an_unresolvable_name_fails_at_the_dns_stage(dns_server):
    failed, result = run_module(endpoint_gate.main, _fast(timeout=1, dns_name="nope.docc.domain.io",
                                                          resolver="127.0.0.1", resolver_port=dns_server))
    assert failed
    assert result["msg"].startswith("endpoint gate: stage dns not ready")
    assert "nope.docc.domain.io does not resolve via 127.0.0.1: NXDOMAIN" in result["msg"]


def test_a_wrong_status_fails_at_the_http_stage_with_the_last_status(app):
    url, state = app
    state["ready_after"] = 10**6
    failed, result = run_module(endpoint_gate.main, _fast(timeout=1, dns_name="localhost", url=url,
                                                          host_header=NAME))
    assert failed
    assert "stage http not ready" in result["msg"] and "-> 503" in result["msg"]
