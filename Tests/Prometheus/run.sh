#!/bin/bash
# A real Prometheus (Debian's package) scrapes Kizuna's /metrics with a bearer token, and
# the test reads the scraped series back through Prometheus' own query API.
# usage: Tests/Prometheus/run.sh [KIZUNA_BINARY]       (default: .build/debug/kizuna)
# Last line: "prometheus: N passed, M failed".
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
KIZUNA=$(realpath "${1:-$REPO/.build/debug/kizuna}")
[ -x "$KIZUNA" ] || { echo "prometheus test: no kizuna binary at $KIZUNA" >&2; exit 2; }

if ! command -v prometheus >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "prometheus test: need root to install prometheus" >&2; exit 2; }
    apt-get update -qq
    # The package's own service is not wanted: this test starts its own Prometheus.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
systemctl stop prometheus 2>/dev/null || true

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
check() { if "${@:2}"; then echo "PASS: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
TOKEN="scrape-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
API_PORT=$(free_port)
PROM_PORT=$(free_port)

# The demo flat, with its store and API on loopback.
sed "s/^alarms:/api:\n  listen: \"127.0.0.1:$API_PORT\"\n  tokens:\n    - { name: prometheus, role: technician, sha256: \"$HASH\" }\nalarms:/" \
    "$REPO/boards/sim/kizuna.yaml" > "$WORK/kizuna.yaml"
"$KIZUNA" demo --config "$WORK/kizuna.yaml" --boards "$REPO/boards" --store "$WORK/kizuna.sqlite" --speed 60 \
    > "$WORK/demo.out" 2> "$WORK/demo.err" &
PIDS+=($!)

cat > "$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: kizuna
    authorization:
      type: Bearer
      credentials: $TOKEN
    static_configs:
      - targets: ["127.0.0.1:$API_PORT"]
  - job_name: kizuna-no-token
    static_configs:
      - targets: ["127.0.0.1:$API_PORT"]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" > "$WORK/prometheus.log" 2>&1 &
PIDS+=($!)

query() { curl -s --get --data-urlencode "query=$1" "http://127.0.0.1:$PROM_PORT/api/v1/query"; }
# The value of the first series of an instant query, or empty.
value() { query "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'; }
wait_for() { for _ in $(seq 1 60); do v=$(value "$1" 2>/dev/null || true); [ -n "$v" ] && [ "$v" != 0 ] && return 0; sleep 0.5; done; return 1; }

check "Prometheus scrapes kizuna with the bearer token (up == 1)" wait_for 'up{job="kizuna"} == 1'
check "events by sensor arrive in Prometheus" wait_for 'kizuna_events_total{job="kizuna",sensor="temperature.living"}'
# A series whose value may be 0: present is enough.
exists() { for _ in $(seq 1 60); do [ -n "$(value "$1" 2>/dev/null || true)" ] && return 0; sleep 0.5; done; return 1; }
# In whole hours (her movements are not published as they happen): 0 in a demo's first hour.
check "seconds since the last sign of life is a series, in whole hours" exists 'kizuna_seconds_since_last_activity{job="kizuna"} % 3600 == 0'
check "the loop iteration histogram is scraped" wait_for 'kizuna_loop_iteration_seconds_count{job="kizuna"}'
# Without the token: the target is scraped (the series exists) but is down (401).
check "the scrape without the token is attempted" exists 'up{job="kizuna-no-token"}'
check "without the token the scrape is refused (up == 0)" [ "$(value 'up{job="kizuna-no-token"}')" = 0 ]
targets() { curl -s "http://127.0.0.1:$PROM_PORT/api/v1/targets"; }
check "Prometheus reports that scrape's error as HTTP 401" grep -q '"lastError":"server returned HTTP status 401' <(targets)

if [ "$failed" -gt 0 ]; then echo "---- demo stderr"; tail -20 "$WORK/demo.err"; echo "---- prometheus"; tail -20 "$WORK/prometheus.log"; fi
echo "prometheus: $passed passed, $failed failed"
[ "$failed" = 0 ]
