#!/usr/bin/env bash
# Installs a Debian build of QEMU beside the system one, from Debian's own registry only:
#   scripts/install-qemu.sh 10.0    [PREFIX]   bookworm-backports' 10.0.2 (default /opt/qemu-10.0)
#   scripts/install-qemu.sh 10.0.13 [PREFIX]   trixie's 10.0.13          (default /opt/qemu-10.0.13)
# A private apt configuration (its own source list, lists and cache in a temp dir) downloads the
# .debs and `dpkg-deb -x` unpacks them into PREFIX. The shared libraries the binaries need and the host
# lacks come from the same suites into PREFIX too; trixie's build needs a newer C library than
# bookworm's, so it gets its whole library closure, loader included. PREFIX/bin holds wrappers
# (qemu-system-x86_64, qemu-img, qemu-io) that exec the unpacked binaries against those libraries.
# The system QEMU is never touched. Idempotent: PREFIX/.installed records the version installed.
set -euo pipefail

usage() { echo "usage: scripts/install-qemu.sh 10.0|10.0.13 [PREFIX]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
case "$1" in
  10.0)    version='1:10.0.2+ds-2+deb13u1~bpo12+1'; suite=bookworm-backports; prefix="${2:-/opt/qemu-10.0}"
           suites='bookworm bookworm-updates bookworm-backports'; own_libc=no ;;
  10.0.13) version='1:10.0.13+ds-0+deb13u1'; suite=trixie; prefix="${2:-/opt/qemu-10.0.13}"
           suites='trixie trixie-updates'; own_libc=yes ;;
  *) usage ;;
esac
marker="$prefix/.installed"
bins=(qemu-system-x86_64 qemu-img qemu-io)
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$version" ] && [ -x "$prefix/bin/qemu-system-x86_64" ]; then
  echo "QEMU $version already installed in $prefix"; exit 0
fi

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sources" "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs"
cat > "$tmp/sources/qemu.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-qq -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$tmp/sources"
  -o Dir::State::Lists="$tmp/lists" -o Dir::Cache="$tmp/cache" -o Debug::NoLocking=1
  -o APT::Default-Release="$suite" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update

# The exact build when the archive still has it; otherwise the suite's current one, said aloud.
main_pkgs=(qemu-system-x86 qemu-system-common qemu-system-data qemu-utils)
if apt-cache "${apt_opts[@]}" madison qemu-system-x86 | grep -qF "| $version |"; then
  wanted=("${main_pkgs[@]/%/=$version}")
else
  echo "warning: $version is gone from $suite; installing its current build" >&2
  wanted=("${main_pkgs[@]/%//$suite}")
fi
version_to_record="$version"

# Library packages the QEMU packages depend on, recursively: all of them when the C library comes
# along, else only those the host lacks (the host's own copies of the rest are used).
lib_closure() {
  apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances qemu-system-x86/"$suite" qemu-utils/"$suite" 2>/dev/null |
    sed -n 's/^\([a-z0-9][a-z0-9.+-]*\)$/\1/p' | grep -E '^(lib|zlib1g$)' | grep -vE -- '-(dev|doc|bin)$' | sort -u
}
libs=()
for pkg in $(lib_closure); do
  if [ "$own_libc" = no ] && dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then continue; fi
  libs+=("$pkg/$suite")
done
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" download "${wanted[@]}")
# One download for all libraries; if one of them has no candidate in the suite (a virtual package),
# fetch them one by one, each from the suite or else from any suite in the list.
if [ ${#libs[@]} -gt 0 ] && ! (cd "$tmp/debs" && apt-get "${apt_opts[@]}" download "${libs[@]}" 2>/dev/null); then
  for lib in "${libs[@]}"; do
    (cd "$tmp/debs" && { apt-get "${apt_opts[@]}" download "$lib" 2>/dev/null ||
      apt-get "${apt_opts[@]}" download "${lib%/*}" 2>/dev/null || echo "note: no package ${lib%/*}" >&2; })
  done
fi
mkdir -p "$prefix"
for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$prefix"; done

libdirs="$prefix/usr/lib/x86_64-linux-gnu:$prefix/lib/x86_64-linux-gnu"
loader=""
if [ "$own_libc" = yes ]; then
  for l in "$prefix/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$prefix/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"; do
    [ -e "$l" ] && loader="$l" && break
  done
  [ -n "$loader" ] || { echo "error: trixie's libc6 did not unpack a loader into $prefix" >&2; exit 1; }
fi

# Every library must now resolve, and every symbol version be met.
for b in "${bins[@]}"; do
  if [ -n "$loader" ]; then out="$("$loader" --library-path "$libdirs" --list "$prefix/usr/bin/$b" 2>&1 || true)"
  else out="$(LD_LIBRARY_PATH="$libdirs" ldd "$prefix/usr/bin/$b" 2>&1 || true)"; fi
  if grep -qE 'not found' <<<"$out"; then
    echo "error: $prefix/usr/bin/$b still misses libraries:" >&2; grep -E 'not found' <<<"$out" >&2; exit 1
  fi
done

mkdir -p "$prefix/bin"
for b in "${bins[@]}"; do
  datadir=""
  [ "$b" = qemu-system-x86_64 ] && datadir="-L \"$prefix/usr/share/qemu\""
  if [ -n "$loader" ]; then
    run="exec \"$loader\" --library-path \"$libdirs\" --argv0 \"\$0\" \"$prefix/usr/bin/$b\" $datadir \"\$@\""
  else
    run="LD_LIBRARY_PATH=\"$libdirs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\" exec \"$prefix/usr/bin/$b\" $datadir \"\$@\""
  fi
  printf '#!/bin/sh\n# Written by scripts/install-qemu.sh: Debian QEMU %s against the libraries in %s.\n%s\n' \
    "$version_to_record" "$prefix" "$run" > "$prefix/bin/$b"
  chmod +x "$prefix/bin/$b"
done
"$prefix/bin/qemu-system-x86_64" --version | head -n 1
"$prefix/bin/qemu-img" --version | head -n 1
echo "$version_to_record" > "$marker"
