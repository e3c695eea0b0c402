#!/usr/bin/env bash
# Builds mod_content_etag.so with apxs (Debian's apache2-dev), linking the build tree's
# libetagcore.a with its symbols hidden: APR loads modules RTLD_GLOBAL, and without
# --exclude-libs the module would export Rust's std with the library (about 1,800 symbols).
#
# Usage: servers/apache/build.sh [OUT_DIR]   (default: target/apache of the repository)
# libetagcore comes from pkg-config: PKG_CONFIG_PATH as set by the caller, or else the build
# tree's target/ffi/lib/pkgconfig (`make ffi`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "${1:-$root/target/apache}" && cd "${1:-$root/target/apache}" && pwd)"
export PKG_CONFIG_PATH="${PKG_CONFIG_PATH:-$root/target/ffi/lib/pkgconfig}"
command -v apxs >/dev/null || { echo "apxs not found: install apache2-dev" >&2; exit 1; }
pkg-config --exists etagcore || { echo "libetagcore not found by pkg-config: run 'make ffi' first" >&2; exit 1; }
lib="$(pkg-config --variable=libdir etagcore)/libetagcore.a"
native="$(pkg-config --variable=native_libs etagcore)"
rm -rf "$out/build"
mkdir -p "$out/build"
cp "$here"/src/*.c "$here"/src/*.h "$out/build/"
cd "$out/build"
# -Wc: the module is C99 in Apache's style; every warning is an error here
apxs -c -o mod_content_etag.so $(pkg-config --cflags etagcore) \
  -Wc,-std=gnu99 -Wc,-D_FILE_OFFSET_BITS=64 -Wc,-fvisibility=hidden -Wc,-Wall -Wc,-Wextra -Wc,-Werror -Wc,-Wno-unused-parameter \
  mod_content_etag.c content_etag_decide.c content_etag_cache.c content_etag_shm.c \
  content_etag_hash.c \
  "$lib" -Wl,--exclude-libs,libetagcore.a $native > "$out/build.log" 2>&1 \
  || { tail -40 "$out/build.log"; exit 1; }
cp .libs/mod_content_etag.so "$out/mod_content_etag.so.new"
# renamed over the old one: a server still running it keeps its copy (cp in place crashes it)
mv -f "$out/mod_content_etag.so.new" "$out/mod_content_etag.so"
echo "built $out/mod_content_etag.so (libetagcore from $(dirname "$lib"))"
