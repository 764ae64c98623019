# shellcheck shell=bash
# Sourceable: finds a JDK that can build Conveyor.
#
#   source scripts/jdk.sh && conveyor_find_jdk
#
# The rule: use $JAVA_HOME if its bin/java is version 21 or newer; otherwise the newest
# JDK >= 21 under /usr/lib/jvm (override the directory with CONVEYOR_JVM_DIR); otherwise fail.
# On success it exports JAVA_HOME, puts $JAVA_HOME/bin first on PATH, sets CONVEYOR_JDK_MAJOR,
# and adds --sun-misc-unsafe-memory-access=allow to MAVEN_OPTS on JDK >= 24 only
# (it silences Maven's own sun.misc.Unsafe warnings there; JDK 21-23 refuse to start with it).

CONVEYOR_MIN_JDK=21

# Prints the full version of the JDK at $1 (e.g. 25.0.3, 21, 1.8.0_402) or fails.
# Reads the JDK's `release` file, else asks its `java -version`.
_conveyor_jdk_version() {
  local home=$1 v=""
  # A JRE has no javac, and Maven's compiler needs one.
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  [ -n "$v" ] || return 1
  printf '%s\n' "$v"
}

# Prints the feature (major) number of a Java version string: 25.0.3 -> 25, 21-ea -> 21, 1.8.0_402 -> 8.
_conveyor_java_major() {
  local v=$1
  case $v in 1.*) v=${v#1.} ;; esac
  v=${v%%[!0-9]*}
  [ -n "$v" ] || return 1
  printf '%s\n' "$v"
}

# Succeeds when version $1 is newer than version $2.
_conveyor_version_newer() {
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

conveyor_find_jdk() {
  local jvm_dir=${CONVEYOR_JVM_DIR:-/usr/lib/jvm}
  local home="" version="" major="" candidate v m best_v=""

  if [ -n "${JAVA_HOME:-}" ]; then
    if version=$(_conveyor_jdk_version "$JAVA_HOME") && major=$(_conveyor_java_major "$version") \
        && [ "$major" -ge "$CONVEYOR_MIN_JDK" ]; then
      home=$JAVA_HOME
    else
      echo "note: ignoring JAVA_HOME=$JAVA_HOME (${version:+JDK $version, }not a JDK $CONVEYOR_MIN_JDK or newer); looking in $jvm_dir" >&2
    fi
  fi

  if [ -z "$home" ]; then
    for candidate in "$jvm_dir"/*/; do
      candidate=${candidate%/}
      [ -d "$candidate" ] || continue
      v=$(_conveyor_jdk_version "$candidate") || continue
      m=$(_conveyor_java_major "$v") || continue
      [ "$m" -ge "$CONVEYOR_MIN_JDK" ] || continue
      # Newest wins: compare whole versions (25.0.3 > 25.0.1 > 21.0.9).
      if [ -z "$best_v" ] || _conveyor_version_newer "$v" "$best_v"; then
        home=$candidate best_v=$v version=$v major=$m
      fi
    done
  fi

  if [ -z "$home" ]; then
    cat >&2 <<EOF
error: Conveyor needs JDK $CONVEYOR_MIN_JDK or newer; set JAVA_HOME or install one,
       e.g. apt-get install openjdk-21-jdk (or a Temurin JDK under $jvm_dir).
       JAVA_HOME=${JAVA_HOME:-<unset>}; nothing suitable found under $jvm_dir.
EOF
    return 1
  fi

  JAVA_HOME=$home
  CONVEYOR_JDK_MAJOR=$major
  export JAVA_HOME CONVEYOR_JDK_MAJOR
  case ":$PATH:" in
    ":$JAVA_HOME/bin:"*) ;;
    *) PATH="$JAVA_HOME/bin:$PATH" ;;
  esac
  export PATH

  # --sun-misc-unsafe-memory-access=allow: only JDK >= 24 knows it; older JDKs refuse to start with it.
  local flag=--sun-misc-unsafe-memory-access=allow
  case " ${MAVEN_OPTS:-} " in
    *" $flag "*)
      if [ "$major" -lt 24 ]; then
        MAVEN_OPTS=" $MAVEN_OPTS "
        MAVEN_OPTS=${MAVEN_OPTS// $flag / }
        MAVEN_OPTS=${MAVEN_OPTS# }
        MAVEN_OPTS=${MAVEN_OPTS% }
      fi ;;
    *)
      if [ "$major" -ge 24 ]; then MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }$flag"; fi ;;
  esac
  export MAVEN_OPTS
}
