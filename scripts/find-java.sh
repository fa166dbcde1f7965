# Sourced by the launchers: sets MOTLEY_JAVA to a `java` of version 21 or later, or fails with a
# message. Looks at $MOTLEY_JAVA, $JAVA_HOME, `java` on PATH, /usr/lib/jvm/* and macOS's JDK folder.
# Reads each JDK's `release` file instead of running `java -version`, so the check costs no process.

motley_java_version() { # $1 = a JDK home; prints its major version or nothing
  local rel="$1/release" v
  [ -r "$rel" ] || return 0
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  [ -n "$v" ] && echo "$v"
}

motley_find_java() {
  if [ -n "${MOTLEY_JAVA:-}" ] && [ -x "$MOTLEY_JAVA" ]; then return 0; fi
  local cand v
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    cand=$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)
    candidates+=("$(dirname "$(dirname "$cand")")")
  fi
  for cand in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home /opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home; do
    [ -d "$cand" ] && candidates+=("$cand")
  done
  for cand in "${candidates[@]}"; do
    v=$(motley_java_version "$cand")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ -x "$cand/bin/java" ]; then
      MOTLEY_JAVA="$cand/bin/java"
      export MOTLEY_JAVA
      return 0
    fi
  done
  echo "motley: error: no Java 21 or later found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*)." >&2
  echo "motley: install a JDK 21+ (for example Temurin) and set JAVA_HOME to it." >&2
  return 1
}
