#!/usr/bin/env bash
# Finds, or installs, what the test suite needs beyond node_modules, so that the README's test
# command (`npm ci && npm test`) passes by itself on a fresh Debian machine. Run by `npm test`
# (the `pretest` script) before the build:
#   - headless Chromium at /usr/bin/chromium (the dashboard test; Playwright never downloads one);
#   - Graphviz's `dot` (the `cep explain --format dot` test renders the graph with it);
#   - Java 17 or later, Maven and openssl (the real Kafka broker, scripts/kafka/broker.ts, and the
#     certificates of its TLS listeners);
#   - the Kafka broker jars, resolved from Maven Central once into .cache/kafka, and the exactly-once
#     test's Java reader compiled against them.
# A missing package is installed with apt-get when running as root; otherwise the script stops at
# once with the command to run. Nothing is printed when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "ensure-test-deps: $*" >&2; exit 1; }

apt_updated=0
# apt_install WHAT PACKAGE...: installs PACKAGE... (for WHAT) as root, or says how.
apt_install() {
  local what=$1; shift
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "the tests need $what; install it first (Debian/Ubuntu: sudo apt-get install -y $*), then run npm test again"
  fi
  echo "ensure-test-deps: installing $* ($what) with apt-get" >&2
  local log; log=$(mktemp)
  # apt's own output is shown only when it fails.
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; fail "apt-get update failed"; }
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; fail "apt-get install $* failed"; }
  rm -f "$log"
}

# Headless Chromium for test/live/dashboard.browser.test.ts.
if [ ! -x /usr/bin/chromium ]; then apt_install "headless Chromium at /usr/bin/chromium" chromium; fi
/usr/bin/chromium --version >/dev/null 2>&1 || fail "/usr/bin/chromium is there but does not run: $(/usr/bin/chromium --version 2>&1 | tail -1)"

# Graphviz for test/runtime/commands/explain.test.ts (the DOT output must render as one graph).
if ! command -v dot >/dev/null 2>&1; then apt_install "Graphviz's dot (renders cep explain --format dot)" graphviz; fi

# Java 17+, Maven and openssl for the Kafka broker (scripts/kafka/broker.ts, scripts/kafka/certs.ts);
# a JDK, not only a JRE: the exactly-once test reads alerts with Kafka's Java consumer
# (test/live/eos/ReadCommitted.java), compiled with javac below.
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then apt_install "a Java 17 or later JDK (the Kafka broker, the Java read_committed reader)" openjdk-17-jdk-headless; fi
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || fail "the Kafka broker needs Java 17 or later, found ${java_major:-none} ($(command -v java)); install openjdk-17-jdk-headless or put a newer java first on the PATH"
if ! command -v mvn >/dev/null 2>&1; then apt_install "Maven (it resolves the Kafka broker jars)" maven; fi
if ! command -v openssl >/dev/null 2>&1; then apt_install "openssl (certificates of the test broker's TLS listeners)" openssl; fi

# The broker jars (Maven Central, once; cached in .cache/kafka/<version>/libs). A Maven problem
# shows here, with Maven's own message, rather than as a test timeout.
npx --no-install tsx scripts/kafka/broker.ts --resolve >/dev/null || fail "could not resolve the Kafka broker jars (see above)"

# The exactly-once test's Java read_committed reader, compiled once against those jars (cached in
# .cache/kafka/<version>/read-committed; recompiled only when its source changes).
npx --no-install tsx test/live/eos/java-reader.ts --build >/dev/null || fail "could not compile the Java read_committed reader (see above)"

# The Flink CEP side of the differential test (test/flink/driver: flink-cep from Maven Central, once;
# rebuilt only when its sources change).
npx --no-install tsx test/flink/run.ts --build >/dev/null || fail "could not build the Flink differential driver (see above)"
