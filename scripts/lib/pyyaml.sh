# shellcheck shell=bash
# Debian's python3 with PyYAML, which the Kubernetes recipe's tests read
# deploy/kubernetes/migrate-job.yaml with (Tests/ShoalCLITests/
# PartitionAutoTests.swift runs /usr/bin/python3). Sourced by scripts/test:
#
#   pyyaml_ensure_package  installs Debian's `python3-yaml` when /usr/bin/python3
#                          cannot import yaml (root) or says how (others)

pyyaml_say() { printf '%s: %s\n' "${PG_LOG_NAME:-pyyaml.sh}" "$*" >&2; }

pyyaml_ensure_package() {
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    pyyaml_say "missing package: python3-yaml (the Kubernetes recipe's tests need it)"
    pyyaml_say "install it with: sudo apt-get install -y python3-yaml"
    return 1
  fi
  pyyaml_say "installing python3-yaml"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-yaml >&2
}
