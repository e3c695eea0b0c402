#!/usr/bin/env bash
# Installs what the nginx module's build, tests and demos need, where missing: Debian's nginx and
# nginx-dev (and wrk with the argument `wrk`). policy-rc.d stops the package from starting a
# system nginx: the tests start and stop every nginx they use, on 127.0.0.1 only.
set -euo pipefail
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -f /usr/share/nginx/src/conf_flags ] || need+=(nginx-dev)
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
