# Headless Chromium for the fleet page's browser tests (Tests/ShoalCLITests/
# FleetPageBrowserTests.swift, driven by Tests/ShoalTestSupport/HeadlessBrowser.swift).
# Sourced by scripts/test:
#
#   chromium_ensure_package  installs Debian's `chromium` when it is missing
#                            (root) or says how (others)

chromium_say() { printf '%s: %s\n' "${PG_LOG_NAME:-chromium.sh}" "$*" >&2; }

chromium_ensure_package() {
  if [ -n "${SHOAL_TEST_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    chromium_say "missing package: chromium (the browser tests need it)"
    chromium_say "install it with: sudo apt-get install -y chromium"
    return 1
  fi
  chromium_say "installing chromium"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
}
