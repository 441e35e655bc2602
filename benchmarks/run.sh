#!/usr/bin/env bash
# Runs the benchmark matrix for one engine in rounds and writes the report (benchmarks/README.md).
#
#   benchmarks/run.sh <h2|h2file|postgresql|mariadb|mariadb-affected> [--smoke|--quick|--paired]
#       [--rounds N] [--warmup N] [--measure N] [--iteration-time S] [--threads LIST]
#       [--only REGEX] [--label NAME] [--out DIR]
#
# Full mode (the default): 4 rounds (at least 3 for published results); each round runs every
# selected benchmark in one JMH fork per thread count (1, 4, 16), 4 x 1 s warm-up and 5 x 1 s
# measured per fork, -Xms2g -Xmx2g, GC profiler. --quick: 3 rounds of short iterations, not for
# publication. --paired (the published results): every goal's candidate and baseline in one fork,
# call by call at 1 thread and iteration by iteration at more, 5 rounds, 8 x 1 s warm-up and 4 x 1 s measured, threads 1 and 16, about 35 min.
# --smoke (CI): one round, every benchmark once at 1 thread, numbers meaningless.
# A full run takes about 50 min per engine on 2 cores; the runner prints its estimate first.
#
# Needs the shaded jar (build it first):
#   mvn -B -q install -DskipTests -Dspotless.check.skip=true -pl src-test-fixtures,dialects,toolkit -am
#   mvn -B -q -pl benchmarks package
# Writes DIR/<label>-t<threads>-r<round>.json (JMH; paired: ...-r<round>-<Class>.json), DIR/env-<label>.json, DIR/run-<label>.json,
# DIR/<label>.md, DIR/<label>.svg and DIR/../RESULTS.md; DIR defaults to benchmarks/results, the
# label to the engine. A durable run's label ends in -durable, e.g.
#   IDEM_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' \
#     benchmarks/run.sh postgresql --paired --label postgresql-durable
# PostgreSQL/MariaDB: embedded servers unless IDEM_TEST_POSTGRES_URL / IDEM_TEST_MARIADB_URL is set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/idem-benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  echo "missing $jar; build it first (see the header of this script)" >&2
  exit 2
fi
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <h2|h2file|postgresql|mariadb|mariadb-affected> [--smoke|--quick|--paired] [--rounds N] [--warmup N] [--measure N] [--iteration-time S] [--threads LIST] [--only REGEX] [--label NAME] [--out DIR]" >&2
  exit 2
fi
cd "$here/.."
exec java -cp "$jar" io.github.idem.benchmarks.BenchMain "$@"
