#!/usr/bin/env bash
# Builds ngx_http_content_etag_module.so against Debian's nginx-dev source tree, with the exact
# configure flags Debian's nginx was built with (conf_flags), so that `load_module` accepts it.
#
# Usage: servers/nginx/build.sh [OUT_DIR]   (default: target/nginx of the repository)
# libetagcore comes from pkg-config (see config): PKG_CONFIG_PATH as set by the caller, or else
# the build tree's target/ffi/lib/pkgconfig (`make ffi`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "${1:-$root/target/nginx}" && cd "${1:-$root/target/nginx}" && pwd)"
src=/usr/share/nginx/src
export PKG_CONFIG_PATH="${PKG_CONFIG_PATH:-$root/target/ffi/lib/pkgconfig}"
[ -f "$src/conf_flags" ] || { echo "nginx-dev is not installed ($src/conf_flags missing)" >&2; exit 1; }
pkg-config --exists etagcore || { echo "libetagcore not found by pkg-config: run 'make ffi' first" >&2; exit 1; }
rm -rf "$out/build"
cp -r "$src" "$out/build"
cd "$out/build"
. ./conf_flags
./configure "${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$here" > "$out/configure.log" 2>&1 \
  || { tail -20 "$out/configure.log"; exit 1; }
make -f objs/Makefile modules > "$out/make.log" 2>&1 || { tail -40 "$out/make.log"; exit 1; }
cp objs/ngx_http_content_etag_module.so "$out/ngx_http_content_etag_module.so.new"
# renamed over the old one: a server still running it keeps its copy (cp in place crashes it)
mv -f "$out/ngx_http_content_etag_module.so.new" "$out/ngx_http_content_etag_module.so"
echo "built $out/ngx_http_content_etag_module.so (libetagcore from $(pkg-config --variable=libdir etagcore))"
