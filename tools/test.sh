#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make test: runs the test tiers named on the command line (default: all of them) and ends
# with each runner's summary line, then one line counting the tiers.
#   static   yamllint, ansible-lint (production), ruff, terraform fmt/validate,
#            ansible-test sanity, galaxy-importer and antsibull-docs on the built collection,
#            antsibull-changelog lint (the fragments),
#            rendered manifests (kubernetes-validate 1.31-1.37 strict, checkov), checkov
#   unit     pytest tests/unit
#   compat   the line-dependent static checks (ansible-lint, ansible-test sanity, rendered
#            manifests) and the unit tier again on the ansible-core 2.19 line (Python 3.11,
#            .venv-2.19); SKIPPED with the reason when that line is the default here or no
#            Python 3.11 exists
#   conformance  the ingress values rendered through the REAL pinned charts agree with the
#            fixture charts, the fixtures take only keys the real charts read, and the IAM
#            policy grants the controller's published actions (tests/conformance); SKIPPED
#            with the reason when the chart cache (make chart-cache) lacks them
#   role     molecule test, one scenario per role (extensions/molecule/<role>)
#   e2e      pytest tests/e2e (site.yml on the local engines, twice, tagged, teardown)
#   cluster  pytest tests/cluster (KUBECONFIG, or a throwaway control plane from
#            envtest-style assets; SKIPPED with the reason when neither exists)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
[ "$#" -gt 0 ] || set -- static unit compat conformance role e2e cluster
LOGDIR="$ROOT/.cache/test-logs"
mkdir -p "$LOGDIR"
# Tests get their own engine state, apart from a demo's.
export DOCC_STATE_DIR="$ROOT/.cache/docc-test" DOCC_MOTO_PORT=15055 DOCC_REGISTRY_PORT=15000
export DOCC_K8S_PORT_BASE=15400 DOCC_K8S_BRIDGE=docct0 DOCC_K8S_POD_CIDR=10.89.0.0/24
# Terraform reads the provider mirror make setup found (a TF_CLI_CONFIG_FILE from the
# login environment may point elsewhere, or nowhere).
[ -f "$ROOT/.cache/terraform.rc" ] && export TF_CLI_CONFIG_FILE="$ROOT/.cache/terraform.rc"
# Plain logs.
export NO_COLOR=1 PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1

declare -a SUMMARY=()
passed=0 failed=0 skipped=0

# The toolchain the tiers ran with, first in the summary.
toolchain() {
  local ansible_version kubectl_version
  ansible_version="$(ansible --version 2>/dev/null)"  # whole output: head would break ansible's pipe
  kubectl_version="$(kubectl version --client 2>/dev/null)"
  note "toolchain: ${ansible_version%%$'\n'*} on Python $(python -c 'import platform; print(platform.python_version())'), helm $(helm version --short 2>/dev/null), kubectl ${kubectl_version%%$'\n'*}"
  case "${ansible_version%%$'\n'*}" in
    *"core 2.19"*) note "notice: the ansible-core 2.19 line (ansible 12, Python 3.11): ansible 14 / core 2.21 needs Python >= 3.12 (make setup PYTHON=python3.12)" ;;
  esac
}

banner() { printf '\n======== %s ========\n' "$*"; }
note() { SUMMARY+=("$1"); }
toolchain

# run NAME CMD...: run one check, keep its output in a log, record its last line.
run() {
  local name="$1"; shift
  local log="$LOGDIR/$name.log"
  printf -- '--- %s: %s\n' "$name" "$*"
  if "$@" 2>&1 | tee "$log"; then
    local last; last="$(grep -v '^\s*$' "$log" | tail -n 1 | cut -c1-150)"
    note "$name: ok (${last:-no findings})"
    return 0
  fi
  note "$name: FAILED (log: ${log#"$ROOT"/})"
  return 1
}

terraform_dirs() {
  find roles tests -name '*.tf' -not -path '*/.terraform/*' -printf '%h\n' 2>/dev/null | sort -u
}

tier_static() {
  local rc=0 dir
  run yamllint yamllint --strict . || rc=1
  run ansible-lint ansible-lint --offline --profile production || rc=1
  run ruff ruff check . || rc=1
  run terraform-fmt terraform fmt -check -recursive -diff . || rc=1
  for dir in $(terraform_dirs); do
    run "terraform-validate-$(echo "$dir" | tr '/' '_')" bash -c \
      "cd '$dir' && terraform init -backend=false -input=false -no-color >/dev/null && terraform validate -no-color" || rc=1
  done
  run ansible-test-sanity bash tools/sanity.sh || rc=1
  run galaxy-importer judge_galaxy_importer || rc=1
  run antsibull-docs env PATH="$ROOT/.venv-judges/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$ROOT/.collections" \
    antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all . || rc=1
  run antsibull-changelog "$ROOT/.venv-judges/bin/antsibull-changelog" lint || rc=1
  run collection-install check_collection_install || rc=1
  run execution-environment check_execution_environment || rc=1
  run rendered-manifests check_rendered_manifests || rc=1
  local targets=()
  for dir in $(terraform_dirs); do targets+=(-d "$dir"); done
  while IFS= read -r file; do targets+=(-f "$file"); done < <(git ls-files '*Dockerfile')
  targets+=(-d "$RENDERED")
  run checkov .venv-checkov/bin/checkov --quiet --compact --skip-download "${targets[@]}" || rc=1
  return $rc
}

# galaxy-importer (what Galaxy runs on upload) on the built collection; any ERROR or WARNING
# line counts as a failure, since it reports some problems and still exits 0.
judge_galaxy_importer() {
  local out; out="$(mktemp -d)"
  ansible-galaxy collection build --force --output-path "$out" >/dev/null || return 1
  (cd "$out" && PATH="$ROOT/.venv-judges/bin:$PATH" "$ROOT/.venv-judges/bin/python" -m galaxy_importer.main \
    "$out"/docc-platform-*.tar.gz) >"$out/importer.log" 2>&1
  local status=$?
  grep -vE '^Loading ' "$out/importer.log"
  if [ "$status" -ne 0 ] || grep -qE '^(ERROR|WARNING)' "$out/importer.log"; then rm -rf "$out"; return 1; fi
  rm -rf "$out"
}

# The built collection installs offline into a new path next to the collections this line's
# `ansible` bundles: its dependency ranges resolve without Galaxy.
check_collection_install() {
  local out; out="$(mktemp -d)"
  ansible-galaxy collection build --force --output-path "$out/build" >/dev/null || { rm -rf "$out"; return 1; }
  # On the ansible 12 line its bundled kubernetes.core (6.2) is older than the collection needs:
  # first what its users do (`ansible-galaxy collection install kubernetes.core`, here the copy
  # make setup made from the ansible 14 wheel), into the same path.
  local added=""
  if [ -d "$ROOT/.collections/ansible_collections/kubernetes/core" ]; then
    mkdir -p "$out/collections/ansible_collections/kubernetes"
    cp -r "$ROOT/.collections/ansible_collections/kubernetes/core" "$out/collections/ansible_collections/kubernetes/"
    added=" and the kubernetes.core make setup added"
  fi
  (cd "$out" && env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_CONFIG ansible-galaxy collection install --offline \
    "$out"/build/docc-platform-*.tar.gz -p "$out/collections") >"$out/install.log" 2>&1
  local status=$?
  cat "$out/install.log"
  if [ "$status" -ne 0 ] || ! grep -q 'docc.platform:.* was installed successfully' "$out/install.log"; then
    rm -rf "$out"; return 1
  fi
  rm -rf "$out"
  local version; version="$(ansible --version)"  # whole output: head would break ansible's pipe
  echo "the built collection installs offline beside ${version%%$'\n'*}'s bundled collections$added"
}

# execution-environment.yml: ansible-builder writes a build context from it (no image is built:
# nothing can be pulled here); the context must carry our requirements, bindep and collection,
# and ansible-builder's introspection must find the collection's own requirements.
check_execution_environment() {
  local out file; out="$(mktemp -d)"
  mkdir -p "$ROOT/build"
  ansible-galaxy collection build --force --output-path "$ROOT/build" >/dev/null || { rm -rf "$out"; return 1; }
  ansible-builder create -f execution-environment.yml -c "$out/context" >/dev/null || { rm -rf "$out"; return 1; }
  for file in requirements.txt requirements.yml bindep.txt; do
    cmp -s "$file" "$out/context/_build/$file" || { echo "the context's $file differs from ours"; rm -rf "$out"; return 1; }
  done
  ls "$out"/context/_build/collection/docc-platform-*.tar.gz >/dev/null || { echo "no collection tarball"; return 1; }
  if ! grep -q 'terraform' "$out"/context/*file || ! grep -q 'helm' "$out"/context/*file; then
    echo "the build file installs no terraform or helm"; rm -rf "$out"; return 1
  fi
  ansible-builder introspect --sanitize "$ROOT/.collections" >"$out/introspect.txt" || { rm -rf "$out"; return 1; }
  if ! grep -q 'kubernetes-validate.*from collection docc.platform' "$out/introspect.txt" ||
     ! grep -q 'git .*from collection docc.platform' "$out/introspect.txt"; then
    cat "$out/introspect.txt"; echo "introspection misses docc.platform's requirements"; rm -rf "$out"; return 1
  fi
  rm -rf "$out"
  echo "ansible-builder create: context with requirements.txt, requirements.yml, bindep.txt, the collection"
}

# The app stage's manifests (render mode) and the ingress stage's chart values through the
# fixture charts, rendered twice: byte-identical, valid for Kubernetes 1.31-1.37 (strict).
RENDERED="$ROOT/.cache/test-rendered"
check_rendered_manifests() {
  rm -rf "$RENDERED" "$RENDERED.again" "$RENDERED.state"
  ansible-playbook tests/static/render.yml -e render_dir="$RENDERED" -e render_state_dir="$RENDERED.state" \
    >"$LOGDIR/render.log" 2>&1 || { tail -n 30 "$LOGDIR/render.log"; return 1; }
  ansible-playbook tests/static/render.yml -e render_dir="$RENDERED.again" -e render_state_dir="$RENDERED.state" \
    >>"$LOGDIR/render.log" 2>&1 || return 1
  diff -r -q "$RENDERED" "$RENDERED.again" || { echo "two renders differ"; return 1; }
  DOCC_RENDERED="$RENDERED" python -m pytest -q -p no:cacheprovider tests/static/test_ingress_render.py || return 1
  rm -rf "$RENDERED.again" "$RENDERED.state"
  PYTHONPATH="$ROOT/.collections" python tests/static/check_manifests.py "$RENDERED"
}

pytest_tier() {
  local name="$1"; shift
  local log="$LOGDIR/$name.log" rc
  python -m pytest -ra "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local last; last="$(grep -E '^=+ .* in [0-9.]+s' "$log" | tail -n 1)"
  if [ "$rc" -eq 5 ]; then
    note "$name: FAILED (pytest collected no test) $last"; return 1
  fi
  note "$name: $last"
  return "$rc"
}

tier_unit() { pytest_tier unit tests/unit; }

# The ansible-core 2.19 line beside the default one: what depends on ansible-core or the
# bundled collections, run again with .venv-2.19 first on PATH.
tier_compat() {
  local line py rc=0 saved_path="$PATH"
  line="$(python -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')"
  if [ "$line" = "2.19" ]; then
    note "compat: SKIPPED: the default line on this machine is already ansible-core 2.19 (no Python >= 3.12)"
    return 2
  fi
  py="$(for c in python3.11 "$HOME"/.pyenv/versions/3.11*/bin/python; do
          [ "$("$c" -c 'import sys;print(sys.version_info[:2]==(3,11))' 2>/dev/null)" = True ] && { echo "$c"; break; }
        done)"
  if [ -z "$py" ]; then note "compat: SKIPPED: no Python 3.11 on this machine for the ansible-core 2.19 line"; return 2; fi
  run compat-setup env PYTHON="$py" DOCC_ANSIBLE_LINE=2.19 DOCC_VENV="$ROOT/.venv-2.19" DOCC_SETUP_PARTS=python \
    bash "$ROOT/tools/setup.sh" || return 1
  export PATH="$ROOT/.venv-2.19/bin:$saved_path"
  run compat-ansible-lint ansible-lint --offline --profile production || rc=1
  run compat-ansible-test-sanity bash tools/sanity.sh || rc=1
  run compat-rendered-manifests check_rendered_manifests || rc=1
  pytest_tier compat-unit tests/unit || rc=1
  export PATH="$saved_path"
  return $rc
}

tier_role() {
  local rc=0 scenario
  for scenario in extensions/molecule/*/molecule.yml; do
    scenario="$(basename "$(dirname "$scenario")")"
    run "molecule-$scenario" molecule test -s "$scenario" || rc=1
  done
  return $rc
}

tier_e2e() { pytest_tier e2e tests/e2e; }

# The real charts are fetched by make chart-cache (internet), never by the tests.
tier_conformance() {
  local missing
  missing="$(python tools/chart_cache.py --list | sed -n 's/^missing: //p')"
  if [ "$missing" != "nothing" ]; then
    note "conformance: SKIPPED: the real pinned charts are not in the chart cache (run make chart-cache where the internet is reachable): $missing"
    return 2
  fi
  pytest_tier conformance tests/conformance
}

tier_cluster() {
  local log="$LOGDIR/cluster.log" rc
  python -m pytest -ra tests/cluster 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local last; last="$(grep -E '^=+ .* in [0-9.]+s' "$log" | tail -n 1)"
  if grep -q '^SKIPPED: ' "$log"; then
    note "cluster: $(grep -m1 '^SKIPPED: ' "$log")"
    return 2
  fi
  note "cluster: $last"
  return "$rc"
}

for tier in "$@"; do
  banner "tier: $tier"
  start=$SECONDS
  "tier_$tier"
  rc=$?
  took=$((SECONDS - start))
  case $rc in
    0) passed=$((passed + 1)); note "== tier $tier: passed in ${took}s" ;;
    2) skipped=$((skipped + 1)); note "== tier $tier: skipped in ${took}s (reason above)" ;;
    *) failed=$((failed + 1)); note "== tier $tier: FAILED in ${took}s" ;;
  esac
done

banner "summary"
printf '%s\n' "${SUMMARY[@]}"
echo "tiers: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
