#!/usr/bin/env bash
# Campus Edge from a clone: the commands of the README's quick start.
#   ./campus-edge.sh school [--schools N] [--scale K] ...   simulated school(s), their gateways, the Hono sandbox and the city dashboard
#   ./campus-edge.sh school --kafka ...                     the same on Hono's Kafka messaging: a Kafka broker, two city dashboards, PostgreSQL
#   ./campus-edge.sh edge [--scale K] [--duration S] ...     one simulated school and its gateway only, no cloud
#   ./campus-edge.sh test                                   every test (installs the test tools first)
#   ./campus-edge.sh bench [options]                        the lab ingest benchmark (see README)
#   ./campus-edge.sh bench school [--scale K] [options]     the mixed-school benchmark (see README)
#   ./campus-edge.sh bench dtls [options]                   lab ingest over DTLS beside plain CoAP
#   ./campus-edge.sh bench alarms [--scale K] [--probes N]  alarm latency to the console under load
#   ./campus-edge.sh bench siege [--scale 10] [--steps 1,2,3,4] [--seconds 60]  every attack at once, at rising strength
#   ./campus-edge.sh bench heap                             what each bound costs in heap (the README's arithmetic)
#   ./campus-edge.sh bench lab-page [--seconds 60] [--throttle 4]  the teacher's lab page redrawing live, in Chromium
#   ./campus-edge.sh bench cloud [--schools 50] [--duration S]  50 schools through the Hono sandbox to the city dashboard
set -euo pipefail
cd "$(dirname "$0")"

build() {
  # build when nothing is built yet or a source is newer than the last build this script made (its stamp: the
  # distribution's folders keep their old times when a build rewrites the files in them, so they cannot tell)
  local dist=edge-bundles/launcher/target/campus-edge/campus-edge stamp=edge-bundles/launcher/target/.campus-edge-built
  if [[ ! -d $dist/bundles || ! -f $stamp || ! -f simulators/devices/target/runtime-classpath.txt || ! -f simulators/bench/target/runtime-classpath.txt || ! -d simulators/kafka-broker/target/lib \
        || -n $(find . \( -path ./run -o -name node_modules -o -name target -o -name .git \) -prune -o -type f \
                 \( -path '*/src/*' -o -name pom.xml -o -name '*.bnd' -o -path './device-profiles/*' \) -newer $stamp -print -quit) ]]; then
    echo "Building Campus Edge (mvn -B -DskipTests install) ..."
    local started
    started=$(mktemp)
    # expanded now: the variable is local, gone by the time a failed build's exit runs the trap
    trap "rm -f '$started'" EXIT
    mvn -B -q -DskipTests install
    mv "$started" $stamp # the time the build started: a source saved during it is built next time
    trap - EXIT
  fi
}

need_postgresql() {
  # Debian's PostgreSQL server binaries, for the city's database when it scales out (school --kafka)
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    echo "Installing PostgreSQL (Debian package postgresql) for the city's database ..."
    local sudo=; [[ $(id -u) -ne 0 ]] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  fi
}

classpath() {
  echo "$1/target/classes:$(cat "$1/target/runtime-classpath.txt")"
}

cmd=${1:-help}
shift || true
case $cmd in
  school)
    build
    [[ " $* " == *" --kafka "* ]] && need_postgresql
    exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.CityRunner "$@"
    ;;
  edge)
    build
    exec java -cp "$(classpath simulators/devices)" org.campusedge.simulators.school.SchoolRunner "$@"
    ;;
  test)
    .ci/install-test-tools
    exec mvn -B verify "$@"
    ;;
  bench)
    build
    if [[ ${1:-} == school ]]; then
      shift
      exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.SchoolBenchmark "$@"
    fi
    if [[ ${1:-} == cloud ]]; then
      shift
      exec java -Xmx1g -cp "$(classpath simulators/bench)" org.campusedge.bench.CloudBenchmark "$@"
    fi
    if [[ ${1:-} == dtls ]]; then
      shift
      exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.DtlsBenchmark "$@"
    fi
    if [[ ${1:-} == heap ]]; then
      shift
      exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.HeapBounds "$@"
    fi
    if [[ ${1:-} == siege ]]; then
      shift
      exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.SiegeBenchmark "$@"
    fi
    if [[ ${1:-} == lab-page ]]; then
      shift
      .ci/install-test-tools
      exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.LabPageBenchmark "$@"
    fi
    if [[ ${1:-} == alarms ]]; then
      shift
      exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.AlarmLatencyBenchmark "$@"
    fi
    exec java -cp "$(classpath simulators/bench)" org.campusedge.bench.LabBenchmark "$@"
    ;;
  *)
    sed -n '2,/^set /p' "$0" | grep '^#'
    exit 2
    ;;
esac
