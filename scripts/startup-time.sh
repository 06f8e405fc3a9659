#!/usr/bin/env bash
# Measures start-up: from `java -jar target/careline.jar` to /health answering, in sandbox mode (the defaults)
# on free ports with a fresh temp data folder. Builds nothing: run `mvn -q -DskipTests package` first.
# Usage: scripts/startup-time.sh [runs]   (default 5); prints one line per run, then the spread.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
jar=target/careline.jar
[[ -f "$jar" ]] || { echo "no $jar: build it first (mvn -q -DskipTests package)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

times=()
for ((i = 1; i <= runs; i++)); do
  data="$(mktemp -d)"
  http="$(free_port)"; admin="$(free_port)"; redis="$(free_port)"
  start="$(now_ms)"
  CARELINE_HTTP_PORT="$http" CARELINE_ADMIN_PORT="$admin" CARELINE_REDIS_EMBEDDED_PORT="$redis" \
    CARELINE_REDIS_DATA_DIR="$data/redis" java -jar "$jar" >"$data/out.log" 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$http/health" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "careline exited; log:" >&2; cat "$data/out.log" >&2; exit 1; fi
    if (( $(now_ms) - start > 60000 )); then echo "no /health within 60 s" >&2; kill "$pid"; exit 1; fi
    sleep 0.02
  done
  ms=$(( $(now_ms) - start ))
  times+=("$ms")
  echo "run $i: /health answered after $ms ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "start-up to /health over $runs runs: min ${sorted[0]} ms, median ${sorted[$((runs / 2))]} ms, max ${sorted[$((runs - 1))]} ms"
