# shellcheck shell=bash
# Debian's python3 with PyYAML, which the Kubernetes recipe's tests read
# deploy/kubernetes/migrate-job.yaml with (Tests/ShoalCLITests/
# PartitionAutoTests.swift runs /usr/bin/python3). Sourced by scripts/test:
#
#   pyyaml_ensure_package  installs Debian's `python3-yaml` when /usr/bin/python3
#                          cannot import yaml (root) or says how (others)

# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

pyyaml_say() { printf '%s: %s\n' "${PG_LOG_NAME:-pyyaml.sh}" "$*" >&2; }

pyyaml_ensure_package() {
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then
    return 0
  fi
  apt_install pyyaml_say "the Kubernetes recipe's tests need it" python3-yaml
}
