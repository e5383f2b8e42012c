# Headless Chromium for the fleet page's browser tests (Tests/ShoalCLITests/
# FleetPageBrowserTests.swift, driven by Tests/ShoalTestSupport/HeadlessBrowser.swift).
# Sourced by scripts/test:
#
#   chromium_ensure_package  installs Debian's `chromium` when it is missing
#                            (root) or says how (others)

# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

chromium_say() { printf '%s: %s\n' "${PG_LOG_NAME:-chromium.sh}" "$*" >&2; }

chromium_ensure_package() {
  if [ -n "${SHOAL_TEST_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  apt_install chromium_say "the browser tests need it" chromium
}
