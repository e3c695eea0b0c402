#!/usr/bin/env bash
# Builds ngx_http_content_etag_module.so against Debian's nginx-dev source tree, with the exact
# configure flags Debian's nginx was built with (conf_flags), so that `load_module` accepts it.
# Output: target/nginx/ngx_http_content_etag_module.so. Needs target/ffi/lib/libetagcore.a
# (`make ffi`). Usage: ffi/nginx/build.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src=/usr/share/nginx/src
out="$root/target/nginx"
[ -f "$src/conf_flags" ] || { echo "nginx-dev is not installed ($src/conf_flags missing)" >&2; exit 1; }
[ -f "$root/target/ffi/lib/libetagcore.a" ] || { echo "run 'make ffi' first" >&2; exit 1; }
rm -rf "$out/build"
mkdir -p "$out"
cp -r "$src" "$out/build"
cd "$out/build"
. ./conf_flags
./configure "${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$root/ffi/nginx" > "$out/configure.log" 2>&1 \
  || { tail -20 "$out/configure.log"; exit 1; }
make -f objs/Makefile modules > "$out/make.log" 2>&1 || { tail -40 "$out/make.log"; exit 1; }
cp objs/ngx_http_content_etag_module.so "$out/"
echo "built $out/ngx_http_content_etag_module.so"
