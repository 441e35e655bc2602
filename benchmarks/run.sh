#!/usr/bin/env bash
# Runs the whole benchmark matrix for one engine and writes the report.
#
#   benchmarks/run.sh <h2|h2file|postgresql|mariadb|mariadb-affected> [--quick|--smoke] [--out DIR] [--only REGEX] [--label NAME]
#
# Needs the shaded jar (build it first):
#   mvn -B -q install -DskipTests -Dspotless.check.skip=true -pl src-test-fixtures,dialects,toolkit -am
#   mvn -B -q -pl benchmarks package
# Writes DIR/<engine>-t<threads>.json (JMH), DIR/env-<engine>.json, DIR/<engine>.md, DIR/<engine>.svg
# and DIR/../RESULTS.md; DIR defaults to benchmarks/results.
# PostgreSQL/MariaDB: embedded servers unless IDEM_TEST_POSTGRES_URL / IDEM_TEST_MARIADB_URL is set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/idem-benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  echo "missing $jar; build it first (see the header of this script)" >&2
  exit 2
fi
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <h2|h2file|postgresql|mariadb|mariadb-affected> [--quick|--smoke] [--out DIR] [--only REGEX] [--label NAME]" >&2
  exit 2
fi
cd "$here/.."
exec java -cp "$jar" io.github.idem.benchmarks.BenchMain "$@"
