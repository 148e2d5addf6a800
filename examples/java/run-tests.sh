#!/bin/sh
# Compiles the Java example with javac and runs its JUnit 5 tests with the JUnit console
# launcher, against the emulator at $EMULATOR_URL (http://127.0.0.1:8080 by default). No Maven
# or Gradle needed: JUNIT_CONSOLE names the junit-platform-console-standalone jar (default:
# Debian's, package junit5). Arguments go to the launcher (e.g. --select-method ...).
set -eu
cd "$(dirname "$0")"
JUNIT_CONSOLE="${JUNIT_CONSOLE:-/usr/share/java/junit-platform-console-standalone.jar}"
if [ ! -f "$JUNIT_CONSOLE" ]; then
  echo "run-tests.sh: $JUNIT_CONSOLE not found: install Debian's junit5 package, or set JUNIT_CONSOLE to a junit-platform-console-standalone jar (Maven Central, org.junit.platform)" >&2
  exit 2
fi
classes="$(mktemp -d "${TMPDIR:-/tmp}/nhn-ocr-example-java.XXXXXX")"
trap 'rm -rf "$classes"' EXIT
# One javac call for main and test sources: a second JVM start costs more than the compile. Both
# JVMs live a few seconds: C1 only and the serial collector halve their CPU time.
jvm_flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
javac -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -nowarn -encoding UTF-8 --release 17 -d "$classes" -cp "$JUNIT_CONSOLE" \
  $(find src/main/java src/test/java -name '*.java')
# shellcheck disable=SC2086
java $jvm_flags -jar "$JUNIT_CONSOLE" --disable-banner --disable-ansi-colors --fail-if-no-tests \
  --details=tree --include-engine=junit-jupiter \
  --class-path "$classes:src/test/resources" --select-package example.ocr "$@"
