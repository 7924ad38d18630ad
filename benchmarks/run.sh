#!/usr/bin/env bash
# The side-by-side load benchmark of oidc-session: builds what it needs with the Maven wrapper,
# starts on free loopback ports a redis-server per Redis variant, the development OpenID provider
# and every variant in its own JVM (Jetty bare / in-memory filter / Redis filter / Redis filter with
# client-side caching when this build has it / Spring Boot + our starter / Spring Boot + Spring
# Security + Spring Session), logs each in through the provider, runs wrk against them in turn over
# several rounds and writes benchmarks/RESULTS.md.
#
# Needs a JDK 17+ and Linux; installs wrk with apt-get when it is missing. Settings (environment):
#   BENCH_ROUNDS=3 BENCH_SECONDS=15 BENCH_WARMUP_SECONDS=5 BENCH_JIT_WARMUP_SECONDS=20
#   BENCH_SESSIONS=2000 BENCH_CONNECTIONS=32
#   BENCH_THREADS=2 BENCH_HEAP=512m BENCH_CLIENT_CACHE=10000 WRK=wrk REDIS_SERVER_BIN=...
#   BENCH_VARIANTS=bare,memory,redis   only these variants (ids: bare memory redis redis-cached
#                                      boot-ours boot-spring); all by default
#   BENCH_JAVA_OPTIONS="-XX:StartFlightRecording=filename=/tmp/{id}.jfr,settings=profile"
#                                      extra JVM flags per variant, {id} replaced by its id
#   OIDC_DECODED_CACHE_SIZE=4096 (and OIDC_SESSION_DECODEDCACHESIZE=4096 for the Boot app)
#                                      a decoded-session cache larger than the sessions; unset,
#                                      2,000 sessions overflow the default 1,024
#   MVNW="./mvnw"        the build command (for example "./mvnw -o" offline)
#   BENCH_RESULTS=benchmarks/RESULTS.md
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v java >/dev/null; then
  echo "run.sh: needs a JDK 17 or later on the PATH" >&2
  exit 1
fi
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "run.sh: needs a JDK 17 or later, found $java_major" >&2
  exit 1
fi

WRK=${WRK:-wrk}
if ! command -v "$WRK" >/dev/null; then
  echo "run.sh: wrk is missing; installing Debian's package" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if ! command -v apt-get >/dev/null; then
    echo "run.sh: no apt-get here: install wrk (https://github.com/wg/wrk) and rerun" >&2
    exit 1
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wrk >/dev/null
fi

modules=benchmarks/load,benchmarks/boot-oidc-session,benchmarks/boot-spring-security
${MVNW:-./mvnw} -B -ntp -q -pl "$modules" -am package -DskipTests \
  -Dmaven.javadoc.skip=true -Dmaven.source.skip=true

classpath() { echo "$1/target/classes:$(cat "$1/target/classpath.txt")"; }

work=benchmarks/load/target/run
rm -rf "$work"
mkdir -p "$work"
results=${BENCH_RESULTS:-benchmarks/RESULTS.md}
command_line="benchmarks/run.sh"
for name in BENCH_ROUNDS BENCH_SECONDS BENCH_WARMUP_SECONDS BENCH_JIT_WARMUP_SECONDS BENCH_SESSIONS \
    BENCH_CONNECTIONS \
    BENCH_THREADS BENCH_HEAP BENCH_CLIENT_CACHE OIDC_DECODED_CACHE_SIZE OIDC_SESSION_DECODEDCACHESIZE; do
  if [ -n "${!name:-}" ]; then command_line="$name=${!name} $command_line"; fi
done

java -Xmx1g -cp "$(classpath benchmarks/load)" dev.oidcsession.benchmarks.load.LoadRun \
  --results "$results" --work "$work" \
  --boot-ours-cp "$(classpath benchmarks/boot-oidc-session)" \
  --boot-spring-cp "$(classpath benchmarks/boot-spring-security)" \
  --command "$command_line"
