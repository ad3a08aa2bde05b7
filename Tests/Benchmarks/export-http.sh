#!/bin/bash
# Benchmark: a million events exported over HTTP from a running Kizuna (release build).
# usage: Tests/Benchmarks/export-http.sh [EVENTS]     (default 1000000)
# Reports the time curl takes to receive them all, and the server's resident memory
# before and at its peak (VmHWM).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-1000000}
swift build -c release --product kizuna --product kizuna-bench >/dev/null 2>&1 || swift build -c release >/dev/null
KIZUNA=$REPO/.build/release/kizuna
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
"$REPO/.build/release/kizuna-bench" store-fill "$WORK/kizuna.sqlite" "$N"
TOKEN=bench-token
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s/^alarms:/api:\n  listen: \"127.0.0.1:$PORT\"\n  tokens:\n    - { name: bench, role: authority, privacy: full, sha256: \"$HASH\" }\nalarms:/" \
    "$REPO/boards/sim/kizuna.yaml" > "$WORK/kizuna.yaml"
"$KIZUNA" demo --config "$WORK/kizuna.yaml" --boards "$REPO/boards" --store "$WORK/kizuna.sqlite" --speed 1 > /dev/null 2>&1 &
PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/status" && break; sleep 0.1; done
sleep 1
BEFORE=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
T0=$(date +%s%N)
LINES=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/events?format=ndjson" | wc -l)
T1=$(date +%s%N)
PEAK=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
echo "export-http: $LINES events in $(( (T1 - T0) / 1000000 )) ms; server RSS $((BEFORE / 1024)) MiB before, peak $((PEAK / 1024)) MiB (+$(((PEAK - BEFORE) / 1024)) MiB)"
