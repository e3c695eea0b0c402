#!/usr/bin/env bash
# Installs what servers/farm/browser_test.py needs, where missing: Debian's chromium and
# chromium-driver (the W3C WebDriver server the test speaks to over HTTP). As root, like
# servers/nginx/install-deps.sh; waits up to 5 minutes for another apt/dpkg run to finish.
set -euo pipefail
need=()
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v chromedriver >/dev/null || [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0
apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
  --no-install-recommends "${need[@]}"
