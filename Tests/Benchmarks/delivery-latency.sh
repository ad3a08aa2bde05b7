#!/bin/bash
# Rule firing → webhook received on loopback, over N help calls (default 1000), through
# the whole path (store commit with fsync, outbox, delivery worker, signed POST) to the
# test receiver. Usage: Tests/Benchmarks/delivery-latency.sh [N]    (builds kizuna-bench in release)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
swift build -c release --product kizuna-bench >/dev/null
WORK=$(mktemp -d)
trap 'kill $RECEIVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/secret"
python3 Tests/Delivery/receiver.py --port-file "$WORK/port" --secret-file "$WORK/secret" --log "$WORK/log" &
RECEIVER=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
.build/release/kizuna-bench delivery-latency "http://127.0.0.1:$(cat "$WORK/port")/hook" "$WORK/secret" "$WORK/log" "${1:-1000}"
