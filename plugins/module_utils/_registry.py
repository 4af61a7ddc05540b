# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Minimal OCI distribution (registry v2) client: manifest digests (private to docc.platform).

Handles anonymous, HTTP basic and bearer-token auth (the challenge flow Docker Hub, GHCR
and most registries use). Lower layers raise RegistryError; modules turn it into fail_json.
"""

from __future__ import annotations

import base64
import json
import re

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import open_url

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError

MANIFEST_TYPES = ", ".join([
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])

DOCKER_HUB = "registry-1.docker.io"
_LOOPBACK = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$")


class RegistryError(DoccError):
    def __init__(self, msg, status=None):
        super().__init__(msg, status=status)
        self.status = status


def split_reference(reference):
    """('registry', 'repo/path', 'tag') of an image reference; Docker Hub when no registry."""
    name, dummy, tag = reference.rpartition(":")
    if not name or "/" in tag:
        name, tag = reference, "latest"
    first, dummy, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, rest
    else:
        registry, repository = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in repository:
        repository = "library/" + repository
    return registry, repository, tag


def base_url(registry, scheme=None):
    if scheme:
        return "%s://%s" % (scheme, registry)
    # Loopback registries speak plain HTTP, as dockerd assumes for 127.0.0.0/8.
    return ("http://%s" if _LOOPBACK.match(registry) else "https://%s") % registry


def _parse_challenge(header):
    scheme, dummy, params = (header or "").partition(" ")
    values = dict(re.findall(r'(\w+)="([^"]*)"', params))
    return scheme.lower(), values


class Client:
    """Registry client for one registry; ``timeout`` in seconds; ``opener`` for tests."""

    def __init__(self, registry, username=None, password=None, scheme=None, timeout=30, opener=open_url):
        self.registry = registry
        self.url = base_url(registry, scheme)
        self.username = username
        self.password = password
        self.timeout = timeout
        self._open = opener
        self._token = None
        self.requests = 0

    def _basic(self):
        raw = "%s:%s" % (self.username, self.password)
        return "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")

    def _request(self, method, url, headers):
        self.requests += 1
        try:
            resp = self._open(url, method=method, headers=headers, timeout=self.timeout,
                              follow_redirects="all", validate_certs=True)
            return resp.getcode(), resp.headers, resp.read()
        except HTTPError as err:
            return err.code, err.headers, err.read() if hasattr(err, "read") else b""
        except URLError as err:
            raise RegistryError("cannot reach registry %s (%s): %s" % (self.registry, self.url, err.reason)) from err

    def _fetch_token(self, challenge, scope):
        realm = challenge.get("realm")
        if not realm:
            raise RegistryError("registry %s sent a bearer challenge without a realm" % self.registry)
        query = {"service": challenge.get("service", ""), "scope": challenge.get("scope", scope)}
        headers = {"Authorization": self._basic()} if self.username else {}
        status, dummy, body = self._request("GET", realm + "?" + urlencode(query), headers)
        if status in (401, 403):
            what = "the credentials" if self.username else "anonymous access (credentials are required)"
            raise RegistryError("registry %s refused %s for %s (HTTP %d)"
                                % (self.registry, what, scope, status), status)
        if status != 200:
            raise RegistryError("token endpoint %s answered HTTP %d" % (realm, status), status)
        data = json.loads(body.decode("utf-8"))
        return data.get("token") or data.get("access_token")

    def _get_authenticated(self, method, path, scope, accept):
        headers = {"Accept": accept}
        if self._token:
            headers["Authorization"] = "Bearer " + self._token
        elif self.username:
            headers["Authorization"] = self._basic()
        status, resp_headers, body = self._request(method, self.url + path, headers)
        if status == 401:
            scheme, challenge = _parse_challenge(resp_headers.get("WWW-Authenticate"))
            if scheme == "bearer":
                self._token = self._fetch_token(challenge, scope)
                headers["Authorization"] = "Bearer " + self._token
                status, resp_headers, body = self._request(method, self.url + path, headers)
            if status == 401:
                raise RegistryError(
                    "registry %s refused %s (HTTP 401)%s" % (
                        self.registry, "the credentials" if self.username else "anonymous access",
                        "" if self.username else ": credentials are required"), 401)
        return status, resp_headers, body

    def manifest_digest(self, repository, tag):
        """sha256 digest of repository:tag in the registry, or None when the tag is absent."""
        scope = "repository:%s:pull" % repository
        path = "/v2/%s/manifests/%s" % (repository, tag)
        status, headers, dummy = self._get_authenticated("HEAD", path, scope, MANIFEST_TYPES)
        if status == 404:
            return None
        if status != 200:
            raise RegistryError("registry %s answered HTTP %d for %s:%s" % (self.registry, status, repository, tag),
                                status)
        digest = headers.get("Docker-Content-Digest")
        if not digest:
            raise RegistryError("registry %s sent no Docker-Content-Digest for %s:%s"
                                % (self.registry, repository, tag))
        return digest

    def repository_exists(self, repository):
        """False when the registry does not know the repository (GET tags/list answers 404
        NAME_UNKNOWN, as the OCI distribution spec and ECR document): a tag absent from an existing
        repository and a repository that does not exist are different things. ECR does not create a
        repository on push ("name unknown"); a distribution registry does."""
        status, dummy, body = self._get_authenticated("GET", "/v2/%s/tags/list" % repository,
                                                      "repository:%s:pull" % repository, "application/json")
        if status == 200:
            return True
        if status == 404:
            try:
                codes = [e.get("code") for e in json.loads(body.decode("utf-8")).get("errors", [])]
            except (ValueError, AttributeError):
                codes = []
            if "NAME_UNKNOWN" in codes or not codes:
                return False
        raise RegistryError("registry %s answered HTTP %d for the tags of %s" % (self.registry, status, repository),
                            status)

    def _get_json(self, path, scope, accept):
        status, dummy, body = self._get_authenticated("GET", path, scope, accept)
        if status != 200:
            raise RegistryError("registry %s answered HTTP %d for %s" % (self.registry, status, path), status)
        return json.loads(body.decode("utf-8"))

    def labels(self, repository, reference, platform=("linux", "amd64")):
        """Labels of the image config at repository:reference (one platform of an index)."""
        scope = "repository:%s:pull" % repository
        manifest = self._get_json("/v2/%s/manifests/%s" % (repository, reference), scope, MANIFEST_TYPES)
        if "manifests" in manifest:  # an index: take the platform's image manifest
            chosen = next((m for m in manifest["manifests"]
                           if (m.get("platform", {}).get("os"), m.get("platform", {}).get("architecture")) == platform),
                          None)
            if chosen is None:
                return {}
            manifest = self._get_json("/v2/%s/manifests/%s" % (repository, chosen["digest"]), scope, MANIFEST_TYPES)
        config = self._get_json("/v2/%s/blobs/%s" % (repository, manifest["config"]["digest"]), scope, "*/*")
        return (config.get("config") or {}).get("Labels") or {}
