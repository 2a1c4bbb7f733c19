#!/usr/bin/env bash
# Starts N local InstGenIE nodes clustered on loopback: HTTP on 8080, 8081, ...; Hazelcast on
# 5701, 5702, ... (cluster-config/loopback.xml lists 5701-5704; edit it for more nodes).
# Logs go to cluster-config/logs/node-K.log; Ctrl-C stops every node this script started.
# Usage: cluster-config/start-nodes.sh N [extra serve flags...]   (after: mvn -q package -DskipTests)
set -euo pipefail
n="${1:?usage: start-nodes.sh N [serve flags...]}"
shift
here="$(cd "$(dirname "$0")" && pwd)"
jar="${INSTGENIE_JAR:-$here/../target/instgenie.jar}"
[ -f "$jar" ] || { echo "no $jar: run mvn -q package -DskipTests first" >&2; exit 1; }
mkdir -p "$here/logs"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for ((k = 0; k < n; k++)); do
  INSTGENIE_HOST=127.0.0.1 java --add-modules jdk.incubator.vector -jar "$jar" serve \
    --cluster-config "$here/loopback.xml" --port $((8080 + k)) "$@" \
    > "$here/logs/node-$k.log" 2>&1 &
  pids+=($!)
  echo "node $k: http://127.0.0.1:$((8080 + k))  (log $here/logs/node-$k.log, pid $!)"
done
wait
