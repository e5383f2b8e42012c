# shellcheck shell=bash
# Installing what the tests need from Debian's packages. Sourced by
# scripts/lib/postgres.sh, chromium.sh and pyyaml.sh:
#
#   apt_install SAY WHY PACKAGE...  installs the packages with apt-get (root),
#                                   or, for anyone else, says with the
#                                   function SAY what is missing, WHY it is
#                                   needed, and the command that installs it
#                                   (and fails)

apt_install() {
  local say=$1 why=$2
  shift 2
  if [ "$(id -u)" -ne 0 ]; then
    "$say" "missing packages: $* ($why)"
    "$say" "install them with: sudo apt-get install -y $*"
    return 1
  fi
  "$say" "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
