#!/usr/bin/env bash
# Download the Neo4j Community jars (Maven Central) and compile the test-server launcher.
# Idempotent and fast when already done: the download is skipped while target/lib holds a complete
# copy of the pinned version, and the launcher is recompiled only when its source changed.
# Prints one clear "fetch.sh: ..." line and exits non-zero on any failure (CI runs it before pytest).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/target/lib"
classes="$here/target/classes"
src="$here/src/KgNeo4jServer.java"

fail() { echo "fetch.sh: $*" >&2; exit 1; }

for tool in java javac; do
  command -v "$tool" >/dev/null || fail "'$tool' not found: install a JDK 17 or 21 (Debian: apt-get install openjdk-17-jdk-headless)"
done
java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
case "$java_major" in
  17|21) ;;
  *) fail "Java $java_major found; Neo4j 5.26 needs Java 17 or 21" ;;
esac

version="$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$here/pom.xml")"
[ -n "$version" ] || fail "cannot read <neo4j.version> from $here/pom.xml"
# The stamp names the pom's content too, so an edited pom.xml (a new artifact, a fixed comment) is fetched
# and checked again instead of passing on an old download.
pom_sum="$(sha256sum "$here/pom.xml" | cut -c1-12)"
stamp="$lib/.complete-$version-$pom_sum"

if [ ! -f "$stamp" ]; then
  command -v mvn >/dev/null || fail "'mvn' not found: install Maven 3.8+ (Debian: apt-get install maven)"
  echo "fetch.sh: downloading Neo4j $version jars from Maven Central into $lib ..."
  rm -rf "$lib"
  log="$(mktemp)"
  if ! mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    fail "Maven could not download Neo4j $version (check network access to https://repo.maven.apache.org)"
  fi
  rm -f "$log"
  for jar in neo4j neo4j-bolt neo4j-command-line neo4j-import-tool; do
    [ -f "$lib/$jar-$version.jar" ] || fail "Maven finished but $lib lacks $jar-$version.jar"
  done
  touch "$stamp"
fi

if [ ! -f "$classes/KgNeo4jServer.class" ] || [ "$src" -nt "$classes/KgNeo4jServer.class" ] \
   || [ "$stamp" -nt "$classes/KgNeo4jServer.class" ]; then
  mkdir -p "$classes"
  javac -d "$classes" -cp "$lib/*" "$src" || fail "could not compile $src"
fi
echo "fetch.sh: Neo4j $version ready ($here/target)"
