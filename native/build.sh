#!/bin/sh
# Builds the native client into $1 (dist/target/bin): motley-client for this host, and
# motley-client-aarch64 when Debian's cross compiler (gcc-aarch64-linux-gnu) is installed. Without
# a C compiler, motley-client becomes a link to the JVM launcher, so the commands work either way.
# Beside it, motley-start (the agent's one-exec way into a job); without a C compiler there is none
# and the agent uses its entry script's chain of programs instead.
#   native/build.sh OUTDIR        CC and CFLAGS are honoured
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
cc=${CC:-}
if [ -z "$cc" ]; then
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
  done
fi
flags=${CFLAGS:--O2}
# build NAME: $here/NAME.c into $out/NAME with the host's compiler; fails where there is none or it fails
build() {
  rm -f "$out/$1.tmp"
  [ -n "$cc" ] && $cc -std=c99 $flags -Wall -o "$out/$1.tmp" "$here/$1.c" && mv -f "$out/$1.tmp" "$out/$1"
}
if build motley-client; then
  echo "native client: $out/motley-client ($cc)"
else
  rm -f "$out/motley-client" "$out/motley-client.tmp"
  ln -s ../../bin/motley "$out/motley-client"
  echo "native client: no C compiler found (set CC); the commands use the JVM client" >&2
fi
if build motley-start; then
  echo "job starter: $out/motley-start ($cc)"
else
  rm -f "$out/motley-start" "$out/motley-start.tmp"
  echo "job starter: not built; agents start jobs through their entry script's programs" >&2
fi
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
  aarch64-linux-gnu-gcc -std=c99 -O2 -Wall -o "$out/motley-client-aarch64" "$here/motley-client.c" \
    && echo "native client: $out/motley-client-aarch64 (aarch64-linux-gnu-gcc)"
  aarch64-linux-gnu-gcc -std=c99 -O2 -Wall -o "$out/motley-start-aarch64" "$here/motley-start.c" \
    && echo "job starter: $out/motley-start-aarch64 (aarch64-linux-gnu-gcc)"
fi
