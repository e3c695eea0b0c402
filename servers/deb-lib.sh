# Shell functions shared by the server modules' Debian packaging (servers/*/deb.sh) and its
# tests (servers/*/deb_test.sh): what does not depend on the server. Sourced, not run:
#   . "$here/../deb-lib.sh"
# Each script keeps what is its server's own: the paths, the ABI dependency, the load file and
# the maintainer scripts that enable the module the way that server's Debian packages do.

# deb_die MESSAGE...: the calling script's name and the message on stderr, then exit 1.
deb_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# deb_need COMMAND...: each command found, or stop with the packages that install them.
deb_need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || deb_die "$c not found: apt-get install dpkg-dev binutils python3"
  done
}

# deb_version ROOT: the crate version of the workspace at ROOT (the first `version =` line, as
# the Makefile reads it) with a Debian revision, DEB_REVISION or 1: 0.2.0-1.
deb_version() {
  local upstream
  upstream="$(sed -n 's/^version = "\(.*\)"/\1/p' "$1/Cargo.toml" | head -1)"
  [ -n "$upstream" ] || deb_die "no version line in $1/Cargo.toml"
  echo "$upstream-${DEB_REVISION:-1}"
}

# deb_stage PACKAGE: a staging tree laid out the way debhelper does (debian/PACKAGE/ beside a
# debian/control naming it), so that dpkg-shlibdeps finds the binaries where it expects them.
# Sets deb_root to debian/PACKAGE (with its DEBIAN/ and usr/share/doc/PACKAGE/ made); the tree
# is removed when the script exits (this sets the EXIT trap).
deb_stage() {
  deb_work="$(mktemp -d)"
  trap 'rm -rf "$deb_work"' EXIT
  mkdir -p "$deb_work/debian"
  printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$1" "$1" > "$deb_work/debian/control"
  deb_root="$deb_work/debian/$1"
  install -d -m 0755 "$deb_root" "$deb_root/DEBIAN" "$deb_root/usr/share/doc/$1"
}

# deb_install_so SO DIR: the shared object into DIR (under deb_root, made if missing), mode 0644
# and stripped as dh_fixperms and dh_strip leave shared objects: the debug information is most of
# its size, and the server only needs the dynamic symbols strip keeps.
deb_install_so() {
  install -d -m 0755 "$deb_root/$2"
  install -m 0644 "$1" "$deb_root/$2/"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$deb_root/$2/$(basename "$1")"
}

# deb_shlibdeps [OPTION...]: the Depends of the staged shared objects (OPTIONs go to
# dpkg-shlibdeps). libetagcore is linked statically, but the Rust code it contains still needs
# libc and libgcc_s (unwinding, for the C ABI's panic guard); dpkg-shlibdeps turns the NEEDED
# entries into versioned dependencies (libc6 (>= 2.34), libgcc-s1 (>= 4.2)).
deb_shlibdeps() {
  local pkg shlibs
  pkg="$(basename "$deb_root")"
  shlibs="$(cd "$deb_work" && find "debian/$pkg" -name '*.so' -type f -print0 | sort -z \
    | xargs -0 dpkg-shlibdeps "$@" -O)"
  shlibs="${shlibs#shlibs:Depends=}"
  [ -n "$shlibs" ] || deb_die "dpkg-shlibdeps found no dependencies"
  echo "$shlibs"
}

# deb_copyright ROOT WHAT: usr/share/doc/PACKAGE/copyright, machine-readable as Debian's, for a
# module ("WHAT of etagcore", e.g. "mod_x.so is the Apache httpd module") that links libetagcore
# statically: etagcore, and each crate and the Rust standard library that the module contains.
# The crates are the normal dependencies of the C ABI crate in ROOT's Cargo.lock (cargo tree,
# which needs only what the build fetched, unlike cargo metadata); their authors come from the
# .crate files in cargo's cache. A license without its text below stops the build rather than
# shipping a file that names it without it.
deb_copyright() {
  local root="$1" what="$2" pkg cache crates third_party= crate lic name ver file authors l
  pkg="$(basename "$deb_root")"
  cache="${CARGO_HOME:-$HOME/.cargo}/registry/cache"
  crates="$(cd "$root" && "${CARGO:-cargo}" tree --locked --offline -q -p etagcore-ffi -e normal \
    --prefix none --format '{p}|{l}' | sort -u)"
  while IFS='|' read -r crate lic; do
    case "$crate" in *" ($root"*) continue ;; *" ("*) deb_die "$crate: not from crates.io" ;; esac
    name="${crate% v*}" ver="${crate##* v}"
    file="$(find "$cache" -name "$name-$ver.crate" -print -quit 2>/dev/null)"
    [ -n "$file" ] || deb_die "$name-$ver.crate not in $cache: run 'make ffi' first"
    authors="$(tar -xzOf "$file" "$name-$ver/Cargo.toml" | python3 -c 'import sys, tomllib
print("\n ".join(tomllib.load(sys.stdin.buffer)["package"].get("authors", [])))')"
    lic="${lic//\// OR }" && lic="${lic// OR / or }" && lic="${lic// AND / and }"
    for l in ${lic//[()]/ }; do
      case "$l" in or|and|MIT|Apache-2.0|BSL-1.0) ;; *) deb_die "$name: add the text of $l" ;; esac
    done
    third_party+="Files: $name-$ver/*
Copyright: ${authors:-the $name authors}
License: $lic
Comment: Rust crate linked statically into the module.

"
  done <<<"$crates"
  cat > "$deb_root/usr/share/doc/$pkg/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: etagcore
Upstream-Contact: etagcore developers
Comment: $what of etagcore with libetagcore (the
 Rust crates below and the Rust standard library) linked statically into it.

Files: *
Copyright: etagcore developers
License: MIT or Apache-2.0

${third_party}Files: rust-std/*
Copyright: The Rust Project Developers
License: MIT or Apache-2.0
Comment: The Rust standard library, linked statically into the module.

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software
 and associated documentation files (the "Software"), to deal in the Software without
 restriction, including without limitation the rights to use, copy, modify, merge, publish,
 distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
 BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
 DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 can be found in
 /usr/share/common-licenses/Apache-2.0.

License: BSL-1.0
 Permission is hereby granted, free of charge, to any person or organization obtaining a copy of
 the software and accompanying documentation covered by this license (the "Software") to use,
 reproduce, display, distribute, execute, and transmit the Software, and to prepare derivative
 works of the Software, and to permit third-parties to whom the Software is furnished to do so,
 all subject to the following:
 .
 The copyright notices in the Software and this entire statement, including the above license
 grant, this restriction and the following disclaimer, must be included in all copies of the
 Software, in whole or in part, and all derivative works of the Software, unless such copies or
 derivative works are solely in the form of machine-executable object code generated by a
 source language processor.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
 BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE, TITLE
 AND NON-INFRINGEMENT. IN NO EVENT SHALL THE COPYRIGHT HOLDERS OR ANYONE DISTRIBUTING THE
 SOFTWARE BE LIABLE FOR ANY DAMAGES OR OTHER LIABILITY, WHETHER IN CONTRACT, TORT OR OTHERWISE,
 ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
EOF
  chmod 0644 "$deb_root/usr/share/doc/$pkg/copyright"
}

# The Maintainer of every package built here (control file and changelog).
deb_maintainer="etagcore developers <etagcore-developers@example.invalid>"

# deb_changelog VERSION: usr/share/doc/PACKAGE/changelog.Debian.gz (Debian Policy 12.7 wants
# one in every binary package), one entry for VERSION, for the running Debian release, dated
# SOURCE_DATE_EPOCH or else the commit the package is built from, gzip -9n as dh_compress.
deb_changelog() {
  local pkg when dist
  pkg="$(basename "$deb_root")"
  when="${SOURCE_DATE_EPOCH:-$(git -C "$(dirname "${BASH_SOURCE[0]}")" log -1 --format=%ct \
    2>/dev/null || date +%s)}"
  dist="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  printf '%s (%s) %s; urgency=medium\n\n  * %s\n\n -- %s  %s\n' "$pkg" "$1" \
    "${dist:-unstable}" "Built from etagcore ${1%-*} (its CHANGELOG.md lists the changes)." \
    "$deb_maintainer" "$(LC_ALL=C date -u -R -d "@$when")" \
    | gzip -9n > "$deb_root/usr/share/doc/$pkg/changelog.Debian.gz"
  chmod 0644 "$deb_root/usr/share/doc/$pkg/changelog.Debian.gz"
}

# deb_build DEB: md5sums (dh_md5sums: every file but the conffiles, which dpkg tracks itself) so
# that `dpkg --verify` can check the installed files, the Installed-Size line added to
# DEBIAN/control after Maintainer (where dpkg-gencontrol puts it), then DEB built from deb_root.
# Installed-Size is in KiB, counted as dpkg-gencontrol does: each file rounded up to a KiB, one
# for each directory or link.
deb_build() {
  local size control
  (cd "$deb_root" && find . -path ./DEBIAN -prune -o -type f -printf '/%P\n' | sort \
    | { grep -vxF -f <(cat DEBIAN/conffiles 2>/dev/null) || true; } | sed 's|^/||' \
    | xargs -r md5sum) > "$deb_root/DEBIAN/md5sums"
  chmod 0644 "$deb_root/DEBIAN/md5sums"
  size="$(find "$deb_root" -mindepth 1 -path "$deb_root/DEBIAN" -prune -o -printf '%y %s\n' \
    | awk '{ n += ($1 == "f") ? int(($2 + 1023) / 1024) : 1 } END { print n }')"
  control="$(awk -v size="$size" '{ print } /^Maintainer:/ { print "Installed-Size: " size }' \
    "$deb_root/DEBIAN/control")"
  echo "$control" > "$deb_root/DEBIAN/control"
  dpkg-deb --build --root-owner-group "$deb_root" "$1" >/dev/null
}

# What the tests share. deb_apt_get waits for a dpkg lock another apt run holds rather than
# failing, and never prompts; deb_installed PACKAGE is true when dpkg's status is "install ok
# installed" (not just known, as after a remove).
deb_apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 "$@"
}
deb_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# deb_test_no_services: no service started, restarted or reloaded by a maintainer script until
# deb_test_services_back. Debian's postinst and prerm scripts call invoke-rc.d, and policy-rc.d
# answering 101 forbids every action, so the machine's own web servers (if any) are left alone.
# The tests of all servers take one lock first, so that two of them run at once (make -j) wait
# for each other instead of one removing the policy-rc.d the other relies on.
deb_test_no_services() {
  exec 9>/run/lock/etagcore-deb-test.lock
  flock -w 900 9 || deb_die "another deb_test.sh held /run/lock/etagcore-deb-test.lock for 15 min"
  deb_made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    deb_made_policy=1
  fi
}
deb_test_services_back() {
  [ -z "${deb_made_policy:-}" ] || rm -f /usr/sbin/policy-rc.d
  deb_made_policy=
}

# deb_test_port: a free TCP port on 127.0.0.1.
deb_test_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
