#!/bin/bash
# Alarm delivery, end to end, with the real kizuna binary:
#  1. a webhook receiver (receiver.py) that resets connections, fails, answers slowly and
#     checks every signature: every network alarm step arrives, in order, duplicates only
#     with the same idempotency key;
#  2. kill -9 while the receiver is down, restart: nothing lost;
#  3. refused, TLS, DNS and unreachable sinks: retries and fault metrics, never a crash;
#     `kizuna alarm test` through the API;
#  4. a real Alertmanager pair (Debian's prometheus-alertmanager): a help call shows up in
#     both instances and resolves when acknowledged; the heartbeat alert fires.
# usage: Tests/Delivery/run.sh [KIZUNA_BINARY]     Last line: "delivery: N passed, M failed".
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
KIZUNA=$(realpath "${1:-$REPO/.build/debug/kizuna}")
[ -x "$KIZUNA" ] || { echo "delivery test: no kizuna binary at $KIZUNA" >&2; exit 2; }
HERE="$REPO/Tests/Delivery"

if ! command -v prometheus-alertmanager >/dev/null || ! command -v python3 >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "delivery test: need root to install prometheus-alertmanager and python3" >&2; exit 2; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-alertmanager python3 >/dev/null
fi
systemctl stop prometheus-alertmanager 2>/dev/null || true

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
check() { if "${@:2}"; then echo "PASS: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_file() { for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/secret"
TOKEN="tech-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
printf %s "$TOKEN" > "$WORK/token"
OPS_TOKEN="ops-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OPS_HASH=$(printf %s "$OPS_TOKEN" | sha256sum | cut -d' ' -f1)

# receiver NAME [options]: starts a receiver; its port in $WORK/NAME.port, its log $WORK/NAME.log.
receiver() {
    local name=$1; shift
    rm -f "$WORK/$name.port"
    python3 "$HERE/receiver.py" --port-file "$WORK/$name.port" --secret-file "$WORK/secret" --log "$WORK/$name.log" "$@" \
        2>> "$WORK/$name.err" &
    PIDS+=($!)
    eval "${name}_PID=$!"
    wait_file "$WORK/$name.port"
}

# config FILE SINKS_YAML [API_PORT]: the demo flat with a store, the given delivery section, and an API.
config() {
    { sed '/^alarms:/,$d' "$REPO/boards/sim/kizuna.yaml"
      echo "alarms: { prealarm_grace: 3m, repeat_every: 15m }"
      echo "store: { path: $WORK/unused.sqlite }"
      if [ -n "${3:-}" ]; then
          echo "api:"
          echo "  listen: \"127.0.0.1:$3\""
          echo "  tokens:"
          echo "    - { name: installer, role: technician, sha256: \"$HASH\" }"
          echo "    - { name: ops, role: authority, sha256: \"$OPS_HASH\" }"
      fi
      echo "delivery:"
      printf '%s\n' "$2"
    } > "$1"
}

# The network steps the demo reported (--json), as "alarm step" lines.
network_steps() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j.get("type") in ("alarm", "repeat", "acknowledge", "resolve"): print(j["alarm"], j["type"])' "$1"; }

# --- 1. A receiver that misbehaves: reset, 503 ×3, 404/301 ×2 (moved), slow (past the 1 s timeout) ×1
receiver flaky --reset 1 --fail 3 --moved 2 --slow 1 --slow-seconds 2
config "$WORK/flaky.yaml" "  timeout: 1s
  drain_on_exit: 30s
  heartbeat_every: 1h
  backoff: { first: 50ms, max: 2s }
  webhooks:
    - { name: ops, url: \"http://127.0.0.1:$(cat "$WORK/flaky.port")/kizuna/alarms\", secret_file: $WORK/secret }"
rc=0
"$KIZUNA" demo --config "$WORK/flaky.yaml" --boards "$REPO/boards" --scenario collapse-day --speed max --json \
    --store "$WORK/flaky.sqlite" > "$WORK/flaky.out" 2> "$WORK/flaky.stderr" || rc=$?
check "demo with a misbehaving receiver exits 0" [ "$rc" = 0 ]
network_steps "$WORK/flaky.out" > "$WORK/flaky.expected"
check "the collapse day has network alarm steps to deliver ($(wc -l < "$WORK/flaky.expected"))" [ "$(wc -l < "$WORK/flaky.expected")" -ge 10 ]
verify() {  # LOG EXPECTED STORE: every expected step arrived once or more, in order, same key on
    # duplicates; but a repeat set aside in STORE's outbox for a later step of its alarm
    # (`superseded`: a receiver back after an outage gets the last repeat, not all of them).
    python3 - "$1" "$2" "$3" <<'PY'
import json, sqlite3, sys
log = [json.loads(l) for l in open(sys.argv[1])]
refused = [r for r in log if "refused" in r]
alarms = [r for r in log if r.get("type") == "alarm"]
expected = [tuple(l.split()) for l in open(sys.argv[2])]
db = sqlite3.connect(sys.argv[3])
for oid, alarm, step in db.execute("SELECT id, alarm_id, step FROM outbox WHERE state = 'superseded'"):
    if step != "repeat": sys.exit(f"a {step} step was set aside (only repeats may be)")
    if not db.execute("SELECT 1 FROM outbox WHERE alarm_id = ? AND id > ? AND state = 'delivered'", (alarm, oid)).fetchone():
        sys.exit(f"repeat of alarm {alarm} set aside with no later step of it delivered")
    expected.remove((str(alarm), "repeat"))
first = {}
for r in alarms:
    k = r["key"]
    if k in first:
        a = first[k]
        if (a["alarm"], a["step"], a["sequence"]) != (r["alarm"], r["step"], r["sequence"]):
            sys.exit(f"key {k} reused for a different step: {a} vs {r}")
    else:
        first[k] = r
arrived = [(str(r["alarm"]), r["step"]) for r in first.values()]
if refused: sys.exit(f"signatures refused: {refused[:2]}")
if sorted(arrived) != sorted(expected): sys.exit(f"expected {len(expected)} steps, {len(arrived)} arrived")
seqs = [r["sequence"] for r in first.values()]
if seqs != sorted(seqs): sys.exit("first arrivals out of order")
skipped = db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'superseded'").fetchone()[0]
print(f"{len(expected)} steps, {len(alarms)} deliveries ({len(alarms) - len(first)} duplicates, same key; {skipped} repeats superseded)")
PY
}
check "every step arrived, in order, signed; duplicates carry the same key: $(verify "$WORK/flaky.log" "$WORK/flaky.expected" "$WORK/flaky.sqlite" 2>&1 | tail -1)" \
    verify "$WORK/flaky.log" "$WORK/flaky.expected" "$WORK/flaky.sqlite"
check "every idempotency key starts with the device's id (kz-demo-0001:STORE:ALARM:STEP)" python3 -c '
import json, re, sys
keys = [json.loads(l).get("key") for l in open(sys.argv[1]) if "\"alarm\"" in l]
sys.exit(0 if keys and all(re.fullmatch(r"kz-demo-0001:[0-9a-f]{8}:[0-9]+:[0-9]+", k) for k in keys) else 1)' "$WORK/flaky.log"
check "the slow answer caused a duplicate (same key)" python3 -c '
import json, sys
keys = [json.loads(l).get("key") for l in open(sys.argv[1]) if "\"alarm\"" in l]
sys.exit(0 if len(keys) > len(set(keys)) else 1)' "$WORK/flaky.log"
outbox() { python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute(sys.argv[2]).fetchone()[0])' "$@"; }
check "the store recorded the failed attempts (reset, 503, 404, 301, timeout)" \
    [ "$(outbox "$WORK/flaky.sqlite" "SELECT COUNT(*) FROM delivery_attempt WHERE outcome = 'failed'")" -ge 7 ]
check "a wrong address (404, 301) was tried again, not rejected" \
    [ "$(outbox "$WORK/flaky.sqlite" "SELECT COUNT(*) FROM delivery_attempt WHERE outcome = 'failed' AND (detail LIKE 'HTTP 404%' OR detail LIKE 'HTTP 301%')")" = 2 ]
check "the outbox is empty: every row delivered (or a repeat superseded)" \
    [ "$(outbox "$WORK/flaky.sqlite" "SELECT COUNT(*) FROM outbox WHERE state NOT IN ('delivered', 'superseded')")" = 0 ]
check "the evidence says where the resident was last active" \
    grep -q '"last_activity_room": "living"' "$WORK/flaky.log"

# --- 1b. A receiver that knows no alarm of one id: 404 for that message only -------------
# Heartbeats to the same address are taken and it took an alarm before, so the address is
# right: that one message, refused 5 times over 10 s (5 × the 2 s backoff maximum), is kept
# as refused and every step after it still goes out (it must not block the queue).
receiver unknown --unknown 2
config "$WORK/unknown.yaml" "  timeout: 1s
  drain_on_exit: 30s
  heartbeat_every: 1h
  backoff: { first: 50ms, max: 2s }
  webhooks:
    - { name: ops, url: \"http://127.0.0.1:$(cat "$WORK/unknown.port")/kizuna/alarms\", secret_file: $WORK/secret }"
rc=0
# The hot day raises three alarms (heat, heat-danger, heat again): the receiver knows no
# alarm of the second.
"$KIZUNA" demo --config "$WORK/unknown.yaml" --boards "$REPO/boards" --scenario hot-day --speed max --json \
    --store "$WORK/unknown.sqlite" > "$WORK/unknown.out" 2> "$WORK/unknown.stderr" || rc=$?
check "demo with a receiver that knows no alarm of one id exits 0" [ "$rc" = 0 ]
refused_here=$(outbox "$WORK/unknown.sqlite" "SELECT COUNT(*) FROM delivery_attempt WHERE outcome = 'rejected' AND detail LIKE 'HTTP 404%for this message only%'")
check "the message it answered 404 (its heartbeat taken) is kept as refused, once ($refused_here)" [ "$refused_here" = 1 ]
check "its 404s were tried again, 5 times at least over 10 s at least (the address might have been wrong)" python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT outcome, wall_ns FROM delivery_attempt WHERE detail LIKE ? ORDER BY id", ("HTTP 404%",)).fetchall()
outcomes = [r[0] for r in rows]
ok = len(outcomes) >= 5 and set(outcomes[:-1]) == {"failed"} and outcomes[-1] == "rejected" and rows[-1][1] - rows[0][1] >= 10e9
sys.exit(0 if ok else f"{outcomes} over {(rows[-1][1] - rows[0][1]) / 1e9} s")' "$WORK/unknown.sqlite"
check "every step after it was delivered: none left pending ($(outbox "$WORK/unknown.sqlite" "SELECT COUNT(*) FROM outbox WHERE state = 'delivered'") delivered)" \
    [ "$(outbox "$WORK/unknown.sqlite" "SELECT COUNT(*) FROM outbox WHERE state NOT IN ('delivered', 'superseded', 'rejected')")" = 0 ]
check "the steps after it reached the receiver (the third alarm's raise among them)" \
    grep -q '"alarm": 3, "step": "alarm"' "$WORK/unknown.log"

# --- 2. kill -9 while the receiver is down, then restart ---------------------------------
DOWN_PORT=$(free_port)
config "$WORK/crash.yaml" "  timeout: 1s
  drain_on_exit: 30s
  heartbeat_every: 1h
  backoff: { first: 50ms, max: 1s }
  webhooks:
    - { name: ops, url: \"http://127.0.0.1:$DOWN_PORT/hook\", secret_file: $WORK/secret }"
rc=0
"$KIZUNA" demo --config "$WORK/crash.yaml" --boards "$REPO/boards" --scenario collapse-day --speed max --json \
    --store "$WORK/crash.sqlite" --debug-kill-at 2026-07-01T18:30:00 > "$WORK/crash1.out" 2> "$WORK/crash1.err" || rc=$?
check "the first run was killed with SIGKILL (status $rc)" [ "$rc" = 137 ]
pending=$(outbox "$WORK/crash.sqlite" "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
check "steps were pending in the outbox at the crash ($pending)" [ "$pending" -ge 3 ]
receiver crash --port "$DOWN_PORT"
rc=0
"$KIZUNA" demo --config "$WORK/crash.yaml" --boards "$REPO/boards" --scenario collapse-day --speed max --json \
    --store "$WORK/crash.sqlite" > "$WORK/crash2.out" 2> "$WORK/crash2.err" || rc=$?
check "the restarted run exits 0" [ "$rc" = 0 ]
cat "$WORK/crash1.out" "$WORK/crash2.out" | grep -v '"type":"state"' > "$WORK/crash.all" || true
network_steps "$WORK/crash.all" > "$WORK/crash.expected"
check "after kill -9 and restart, every step of both runs arrived: $(verify "$WORK/crash.log" "$WORK/crash.expected" "$WORK/crash.sqlite" 2>&1 | tail -1)" \
    verify "$WORK/crash.log" "$WORK/crash.expected" "$WORK/crash.sqlite"
check "the receiver, down for the first run, got the last repeat of each alarm, not every one ($(outbox "$WORK/crash.sqlite" "SELECT COUNT(*) FROM outbox WHERE state = 'superseded'") set aside)" \
    [ "$(outbox "$WORK/crash.sqlite" "SELECT COUNT(*) FROM outbox WHERE state = 'superseded'")" -ge 1 ]

# --- 3. Sinks that cannot be reached; the test alarm --------------------------------------
receiver good
API_PORT=$(free_port)
CLOSED_PORT=$(free_port)
config "$WORK/bad.yaml" "  timeout: 1s
  heartbeat_every: 1h
  backoff: { first: 100ms, max: 1s }
  webhooks:
    - { name: good, url: \"http://127.0.0.1:$(cat "$WORK/good.port")/hook\", secret_file: $WORK/secret }
    - { name: refused, url: \"http://127.0.0.1:$CLOSED_PORT/hook\", secret_file: $WORK/secret }
    - { name: tls, url: \"https://127.0.0.1:$(cat "$WORK/good.port")/hook\", secret_file: $WORK/secret }
    - { name: dns, url: \"http://kizuna-no-such-host.invalid/hook\", secret_file: $WORK/secret }
    - { name: unreachable, url: \"http://192.0.2.1:9/hook\", secret_file: $WORK/secret }" "$API_PORT"
"$KIZUNA" demo --config "$WORK/bad.yaml" --boards "$REPO/boards" --scenario normal-day --speed 10 \
    --store "$WORK/bad.sqlite" > "$WORK/bad.out" 2> "$WORK/bad.err" &
DEMO=$!
PIDS+=($DEMO)
api() { curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT$1"; }
for _ in $(seq 1 100); do api /v1/status >/dev/null 2>&1 && break; sleep 0.1; done
answer=$("$KIZUNA" alarm test --config "$WORK/bad.yaml" --boards "$REPO/boards" --token-file "$WORK/token" 2>&1 || true)
check "kizuna alarm test answers with the alarm id ($answer)" grep -q '"kind":"test"' <<< "$answer"
test_arrived() { python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
t = [x for x in r if x.get("type") == "alarm" and x.get("test") is True and x.get("kind") == "test"]
steps = sorted(x["step"] for x in t)
sys.exit(0 if steps == ["alarm", "resolve"] and t[0]["actor"] == "technician:installer" else 1)' "$WORK/good.log" 2>/dev/null; }
for _ in $(seq 1 50); do test_arrived && break; sleep 0.2; done
check "the test alarm reached the good webhook, marked as a test, with who asked" test_arrived
metric() { api /metrics | grep "^kizuna_delivery_failures_total{" | grep "sink=\"$1\"" | grep "error=\"$2\"" | awk '{print $2}'; }
has_failures() { v=$(metric "$1" "$2"); [ -n "$v" ] && [ "${v%.*}" -ge 1 ]; }
unreachable_kind() {  # what an unroutable address gives depends on the network: no route, timeout, or a firewall's reject
    for k in unreachable timeout refused; do has_failures unreachable $k && { echo $k; return 0; }; done; return 1; }
for _ in $(seq 1 80); do
    has_failures refused refused && has_failures tls tls && has_failures dns dns && unreachable_kind >/dev/null && break
    sleep 0.25
done
check "connection refused is retried and counted" has_failures refused refused
check "a TLS failure is retried and counted" has_failures tls tls
check "a DNS failure is retried and counted" has_failures dns dns
check "an unroutable address (192.0.2.1) is retried and counted: $(unreachable_kind || echo none)" unreachable_kind
status=$(api /v1/status)
check "/v1/status shows the failing sinks' pending steps and last error" python3 -c '
import json, sys
d = {s["sink"]: s for s in json.loads(sys.argv[1])["delivery"]}
ok = d["good"]["pending"] == 0 and d["good"]["last_success"] is not None
bad = all(d[n]["pending"] >= 1 and d[n]["failures"] >= 1 and d[n]["last_error"] for n in ("refused", "tls", "dns"))
sys.exit(0 if ok and bad else 1)' "$status"
check "the outbox metrics show depth and age for a failing sink" bash -c "curl -s -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$API_PORT/metrics | grep -q '^kizuna_outbox_depth{sink=\"refused\"} [1-9]'"
check "the runtime is still running after all those failures" kill -0 $DEMO
kill -TERM $DEMO; rc=0; wait $DEMO || rc=$?
check "and stops cleanly on SIGTERM (status $rc)" [ "$rc" = 0 ]

# --- 4. A real Alertmanager pair ----------------------------------------------------------
AM1=$(free_port); AM2=$(free_port); API_PORT=$(free_port)
cat > "$WORK/am.yml" <<YAML
route:
  receiver: blackhole
  group_wait: 1s
receivers:
  - name: blackhole
YAML
for p in $AM1 $AM2; do
    mkdir -p "$WORK/am-$p"
    prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/am-$p" \
        --web.listen-address="127.0.0.1:$p" --cluster.listen-address="" > "$WORK/am-$p.log" 2>&1 &
    PIDS+=($!)
done
for p in $AM1 $AM2; do for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$p/-/ready" >/dev/null && break; sleep 0.1; done; done
config "$WORK/am.yaml" "  timeout: 2s
  heartbeat_every: 2s
  backoff: { first: 100ms, max: 1s }
  alertmanagers:
    - { name: am, urls: [\"http://127.0.0.1:$AM1\", \"http://127.0.0.1:$AM2\"], resend_every: 1s }" "$API_PORT"
"$KIZUNA" demo --config "$WORK/am.yaml" --boards "$REPO/boards" --scenario "$HERE/fixtures/help-call.yaml" --speed 60 \
    --store "$WORK/am.sqlite" > "$WORK/am.out" 2> "$WORK/am.err" &
PIDS+=($!)
# alerts PORT ALERTNAME: the active alerts of that name, as label=value lines.
alerts() { curl -s "http://127.0.0.1:$1/api/v2/alerts?active=true&silenced=false&inhibited=false" | python3 -c '
import json, sys
for a in json.load(sys.stdin):
    if a["labels"].get("alertname") == sys.argv[1]:
        print(" ".join(f"{k}={v}" for k, v in sorted(a["labels"].items())))' "$2"; }
for _ in $(seq 1 150); do [ -n "$(alerts $AM1 KizunaHelp)" ] && [ -n "$(alerts $AM2 KizunaHelp)" ] && break; sleep 0.2; done
for p in $AM1 $AM2; do
    check "Alertmanager :$p has the help call with device, flat and severity ($(alerts $p KizunaHelp))" \
        grep -q "device=kz-demo-0001 flat=demo-101 kind=help severity=critical" <<< "$(alerts $p KizunaHelp)"
    check "Alertmanager :$p has the heartbeat alert" grep -q "alertname=KizunaHeartbeat" <<< "$(alerts $p KizunaHeartbeat)"
done
id=$(alerts $AM1 KizunaHelp | sed -n 's/.*alarm_id=\([0-9]*\).*/\1/p' | head -1)
ack=$(curl -s -X POST -H "Authorization: Bearer $OPS_TOKEN" "http://127.0.0.1:$API_PORT/v1/alarms/$id/ack")
check "the help call is acknowledged through the API ($ack)" grep -q '"acknowledged_by":"authority:ops"' <<< "$ack"
for _ in $(seq 1 100); do [ -z "$(alerts $AM1 KizunaHelp)" ] && [ -z "$(alerts $AM2 KizunaHelp)" ] && break; sleep 0.2; done
check "and resolves in both Alertmanagers" [ -z "$(alerts $AM1 KizunaHelp)$(alerts $AM2 KizunaHelp)" ]
check "the heartbeat still fires" grep -q "KizunaHeartbeat" <<< "$(alerts $AM2 KizunaHeartbeat)"

# --- 5. Alertmanager moved while a help call is out ---------------------------------------
# The help call reaches AM1; the device is killed, its config now names AM3 only (the
# authority moved its Alertmanager), and it restarts with the call still out and nothing
# left waiting: AM3 must be told of the call (the same alarm id), not learn of it only at
# its next step.
AM3=$(free_port)
mkdir -p "$WORK/am-$AM3"
prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/am-$AM3" \
    --web.listen-address="127.0.0.1:$AM3" --cluster.listen-address="" > "$WORK/am-$AM3.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$AM3/-/ready" >/dev/null && break; sleep 0.1; done
for pair in "1 $AM1" "3 $AM3"; do
    set -- $pair
    config "$WORK/moved$1.yaml" "  timeout: 2s
  drain_on_exit: 10s
  heartbeat_every: 1h
  backoff: { first: 100ms, max: 1s }
  alertmanagers:
    - { name: am, urls: [\"http://127.0.0.1:$2\"], resend_every: 1s }"
done
rc=0
"$KIZUNA" demo --config "$WORK/moved1.yaml" --boards "$REPO/boards" --scenario "$HERE/fixtures/help-call.yaml" --speed 60 \
    --store "$WORK/moved.sqlite" --debug-kill-at 2026-07-01T00:08:00 > "$WORK/moved1.out" 2> "$WORK/moved1.err" || rc=$?
check "the run with AM1 was killed with SIGKILL (status $rc)" [ "$rc" = 137 ]
help_id=$(outbox "$WORK/moved.sqlite" "SELECT id FROM alarm WHERE kind = 'help' AND state = 'alarm'")
check "the help call ($help_id) is out and was delivered to AM1 before the kill" \
    [ "$(outbox "$WORK/moved.sqlite" "SELECT COUNT(*) FROM outbox WHERE alarm_id = '$help_id' AND target LIKE 'am@%:$AM1' AND state = 'delivered'")" -ge 1 ]
check "nothing was left waiting at the kill (so no step of it is retargeted)" \
    [ "$(outbox "$WORK/moved.sqlite" "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")" = 0 ]
rc=0
"$KIZUNA" demo --config "$WORK/moved3.yaml" --boards "$REPO/boards" --scenario "$HERE/fixtures/moving-about.yaml" --speed 60 \
    --store "$WORK/moved.sqlite" > "$WORK/moved3.out" 2> "$WORK/moved3.err" || rc=$?
check "the run with AM3 resumed and ended (status $rc)" [ "$rc" = 0 ]
check "it said why it told AM3 ($(grep -o 'warning: [0-9]* alarm steps of alarms still out[^(]*' "$WORK/moved3.err"))" \
    grep -q "1 alarm steps of alarms still out were queued" "$WORK/moved3.err"
check "AM3 was handed the help call's own step (the alarm of 00:01: no step of it came in the run)" \
    [ "$(outbox "$WORK/moved.sqlite" "SELECT group_concat(step || ':' || state) FROM outbox WHERE alarm_id = '$help_id' AND target LIKE 'am@%:$AM3'")" = "alarm:delivered" ]
check "AM3 has the help call, with its alarm id ($(alerts $AM3 KizunaHelp))" \
    grep -q "alarm_id=$help_id .*kind=help" <<< "$(alerts $AM3 KizunaHelp)"

# --- 5b. A help call while no delivery was configured -------------------------------------
# Installed before the authority gave its address: the call is out, told to nobody. The
# restart with a webhook configured must send it (its alarm step, made from the record).
{ sed '/^alarms:/,$d' "$REPO/boards/sim/kizuna.yaml"
  echo "alarms: { prealarm_grace: 3m, repeat_every: 15m }"
  echo "store: { path: $WORK/unused.sqlite }"
} > "$WORK/nodelivery.yaml"
rc=0
"$KIZUNA" demo --config "$WORK/nodelivery.yaml" --boards "$REPO/boards" --scenario "$HERE/fixtures/help-call.yaml" --speed 60 \
    --store "$WORK/untold.sqlite" --debug-kill-at 2026-07-01T00:08:00 > "$WORK/untold1.out" 2> "$WORK/untold1.err" || rc=$?
untold_id=$(outbox "$WORK/untold.sqlite" "SELECT id FROM alarm WHERE kind = 'help' AND state = 'alarm'")
check "the help call ($untold_id) was out with no delivery configured, nothing in the outbox (status $rc)" \
    [ -n "$untold_id" ] && [ "$(outbox "$WORK/untold.sqlite" "SELECT COUNT(*) FROM outbox")" = 0 ]
receiver untold
config "$WORK/untold.yaml" "  timeout: 2s
  drain_on_exit: 10s
  heartbeat_every: 1h
  backoff: { first: 100ms, max: 1s }
  webhooks:
    - { name: ops, url: \"http://127.0.0.1:$(cat "$WORK/untold.port")/hook\", secret_file: $WORK/secret }"
rc=0
"$KIZUNA" demo --config "$WORK/untold.yaml" --boards "$REPO/boards" --scenario "$HERE/fixtures/moving-about.yaml" --speed 60 \
    --store "$WORK/untold.sqlite" > "$WORK/untold2.out" 2> "$WORK/untold2.err" || rc=$?
check "the run with the webhook resumed and ended (status $rc), and said why ($(grep -o 'warning: [0-9]* alarms still out were raised while no[^;]*' "$WORK/untold2.err"))" \
    grep -q "1 alarms still out were raised while no delivery target was configured" "$WORK/untold2.err"
check "the webhook got the help call's alarm step, its alarm id and its key" python3 -c '
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
ok = [g for g in got if g.get("alarm") == int(sys.argv[2]) and g.get("kind") == "help" and g.get("step") == "alarm"
      and (g.get("key") or "").endswith(":%s:" % sys.argv[2] + (g.get("key") or "").rsplit(":", 1)[-1])]
sys.exit(0 if len(ok) >= 1 else 1)' "$WORK/untold.log" "$untold_id"

echo "delivery: $passed passed, $failed failed"
[ "$failed" = 0 ]
