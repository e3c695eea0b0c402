#!/usr/bin/env bash
# Installs what the Apache module's build, tests and demos need, where missing: Debian's apache2
# and apache2-dev (apxs), and wrk with the argument `wrk`. policy-rc.d stops the package from
# starting a system apache2: the tests start and stop every Apache they use, on 127.0.0.1 only.
set -euo pipefail
need=()
command -v apache2 >/dev/null || [ -x /usr/sbin/apache2 ] || need+=(apache2)
command -v apxs >/dev/null || need+=(apache2-dev)
if [ "${1:-}" = wrk ]; then command -v wrk >/dev/null || need+=(wrk); fi
[ ${#need[@]} -eq 0 ] && exit 0
made_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  made_policy=1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
[ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
