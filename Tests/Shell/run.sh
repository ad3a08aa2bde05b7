#!/bin/bash
# The technician's shell, end to end, with the real kizuna binary on the simulated flat:
#  1. `kizuna pin-hash`, and the shell section of the config (check-config);
#  2. the runtime (`kizuna demo`, real time) with its control socket; `kizuna shell` on a
#     pseudo-terminal (terminal.py): banner, PIN, line editing, every command, calibration
#     written to the config and kept across a restart, config set/diff/revert, watch, walk
#     test, idle logout, TERM=dumb;
#  3. `kizuna shell --tty` on one end of a socat pty pair, driven by expect (serial.exp);
#  4. the lockout after 5 wrong PINs (last: it lasts 5 minutes), and the audit table.
# usage: Tests/Shell/run.sh [KIZUNA_BINARY]     Last line: "shell: N passed, M failed".
# Takes about 3 minutes (the walk test runs out its minute).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
KIZUNA=$(realpath "${1:-$REPO/.build/debug/kizuna}")
[ -x "$KIZUNA" ] || { echo "shell test: no kizuna binary at $KIZUNA" >&2; exit 2; }
HERE="$REPO/Tests/Shell"
export KIZUNA_BOARDS="$REPO/boards"

if ! command -v socat >/dev/null || ! command -v expect >/dev/null || ! command -v python3 >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "shell test: need root to install socat, expect and python3" >&2; exit 2; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends socat expect python3 >/dev/null
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0 last=pass
check() { if "${@:2}"; then echo "PASS: $1"; passed=$((passed + 1)); last=pass; else echo "FAIL: $1"; failed=$((failed + 1)); last=fail; fi; }
# show FILE...: after a failed check, the end of these files.
show() { [ "$last" = pass ] && return 0; for f in "$@"; do echo "    ---- $f"; tail -40 "$f" 2>/dev/null | sed 's/^/    | /'; done; }
wait_for() { for _ in $(seq 1 200); do "$@" && return 0; sleep 0.1; done; return 1; }

# An 8-digit PIN, and a wrong one beside it.
PIN=$(printf '%08d' $(( $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % 100000000 )))
WRONG_PIN=$(printf '%08d' $(( (10#$PIN + 1) % 100000000 )))

# --- 1. pin-hash and the config ------------------------------------------------------------
HASH=$(printf '%s\n' "$PIN" | "$KIZUNA" pin-hash 2> "$WORK/pin-hash.err") || true
one_hash_line() { [ "$(printf '%s\n' "$1" | wc -l)" = 1 ] && grep -Eqx 'pbkdf2-sha256\$[0-9]+\$[^$[:space:]]+\$[^$[:space:]]+' <<< "$1"; }
check "pin-hash prints one line pbkdf2-sha256\$ROUNDS\$SALT\$HASH ($HASH)" one_hash_line "$HASH"
show "$WORK/pin-hash.err"
accepts() { for p in "$@"; do one_hash_line "$(printf '%s\n' "$p" | "$KIZUNA" pin-hash 2>/dev/null)" || return 1; done; }
check "pin-hash accepts 4 and 12 digits" accepts 1234 123456789012
bad_pin() {  # a PIN that is not 4-12 digits: a message on stderr, nothing on stdout, exit 2
    local rc=0
    printf '%s\n' "$1" | "$KIZUNA" pin-hash > "$WORK/bad-pin.out" 2> "$WORK/bad-pin.err" || rc=$?
    [ "$rc" = 2 ] && [ -s "$WORK/bad-pin.err" ] && [ ! -s "$WORK/bad-pin.out" ]
}
check "pin-hash refuses '123' (3 digits): message on stderr, exit 2" bad_pin 123
check "pin-hash refuses '1234567890123' (13 digits): message on stderr, exit 2" bad_pin 1234567890123
check "pin-hash refuses '12a4' (not digits): message on stderr, exit 2" bad_pin 12a4

# The demo flat, its temperature on a (simulated) BME280, a store, and the shell section.
sed 's|^  temperature.living: { source: sim }$|  temperature.living: { i2c: { chip: bme280, bus: 1, address: 0x76 }, every: 2s }|' \
    "$REPO/boards/sim/kizuna.yaml" > "$WORK/shell.yaml"
grep -q 'chip: bme280' "$WORK/shell.yaml" || { echo "shell test: boards/sim/kizuna.yaml has no 'temperature.living: { source: sim }' line" >&2; exit 2; }
cat >> "$WORK/shell.yaml" <<YAML
store: { path: $WORK/flat.sqlite }
shell:
  socket: $WORK/control.sock
  pin_hash: "$HASH"
  idle_logout: 3s
YAML
cp "$WORK/shell.yaml" "$WORK/shell.yaml.orig"

check_config() {  # IDLE_LOGOUT EXPECTED_STATUS [FILE]: check-config on the config with that idle_logout
    sed "s/^  idle_logout: .*/  idle_logout: $1/" "${3:-$WORK/shell.yaml}" > "$WORK/check.yaml"
    local rc=0
    "$KIZUNA" check-config "$WORK/check.yaml" --boards "$REPO/boards" > "$WORK/check.out" 2> "$WORK/check.err" || rc=$?
    [ "$rc" = "$2" ] && { [ "$2" = 0 ] || grep -q 'idle_logout' "$WORK/check.err"; }
}
check "check-config accepts the shell section (idle_logout: 10m)" check_config 10m 0
show "$WORK/check.err"
check "check-config refuses idle_logout: 3s without --short-timers (exit 2, names idle_logout)" check_config 3s 2
show "$WORK/check.out" "$WORK/check.err"
check "check-config refuses idle_logout: 3h (more than 2h; exit 2, names idle_logout)" check_config 3h 2
show "$WORK/check.out" "$WORK/check.err"

# --- 2. The runtime and the shell on a pseudo-terminal ---------------------------------------
DEMO=
start_demo() {  # NAME: the runtime in the background, real time; waits for its control socket
    "$KIZUNA" demo --config "$WORK/shell.yaml" --boards "$REPO/boards" --scenario "$HERE/fixtures/technician-visit.yaml" \
        --speed 1 --short-timers --store "$WORK/flat.sqlite" > "$WORK/$1.out" 2> "$WORK/$1.err" &
    DEMO=$!
    PIDS+=($DEMO)
    for _ in $(seq 1 200); do
        [ -S "$WORK/control.sock" ] && return 0
        kill -0 "$DEMO" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
stop_demo() {  # SIGTERM; the exit status in $rc
    rc=0
    kill -TERM "$DEMO" 2>/dev/null || true
    wait "$DEMO" || rc=$?
}
finish() { echo "shell: $passed passed, $failed failed"; }

check "the runtime starts and creates its control socket at shell.socket" start_demo demo1
show "$WORK/demo1.out" "$WORK/demo1.err"
[ "$last" = pass ] || { finish; exit 1; }
check "the control socket has mode 0660 ($(stat -c %a "$WORK/control.sock"))" [ "$(stat -c %a "$WORK/control.sock")" = 660 ]

SHELL_CMD=("$KIZUNA" shell --config "$WORK/shell.yaml")
LOGIN='step log in: PIN, "logged in", "kizuna> "
expect PIN:[ ]
send ${PIN}\r
expect logged in
expect kizuna>[ ]
prompt kizuna>[ ]'

# session NAME TERM login|nologin -- ARGV... <<SCRIPT: a scripted session on a pseudo-terminal
# (terminal.py; the script format is described there), after the login steps with 'login'.
# Each step is a check, printed with the session's name; the transcript is $WORK/NAME.transcript.
session() {
    local name=$1 term=$2 mode=$3 rc=0 p f
    shift 3
    { [ "$mode" = login ] && printf '%s\n' "$LOGIN"; cat; } | sed "s/^step /step [$name] /" > "$WORK/$name.script"
    python3 "$HERE/terminal.py" --env "TERM=$term" --var "PIN=$PIN" --var "WRONG_PIN=$WRONG_PIN" \
        --log "$WORK/$name.transcript" --script "$WORK/$name.script" "$@" | tee "$WORK/$name.result" || rc=$?
    p=$(grep -c '^PASS: ' "$WORK/$name.result" || true)
    f=$(grep -c '^FAIL: ' "$WORK/$name.result" || true)
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then echo "FAIL: [$name] the session ran (terminal.py exit status $rc)"; failed=$((failed + 1)); fi
}

session login xterm-256color nologin -- "${SHELL_CMD[@]}" <<'EOF'
step the banner: Kizuna 0.1.0 — device kz-demo-0001, flat demo-101
expect Kizuna 0\.1\.0 — device kz-demo-0001, flat demo-101
step then the prompt PIN:
expect PIN:[ ]
step a wrong PIN: "wrong PIN (4 tries left)" and PIN: again
send ${WRONG_PIN}\r
expect wrong PIN \(4 tries left\)
expect PIN:[ ]
step the right PIN: "logged in", then the prompt "kizuna> "
send ${PIN}\r
expect logged in
expect kizuna>[ ]
prompt kizuna>[ ]
step neither PIN was echoed
absent ${PIN}
absent ${WRONG_PIN}
step help lists the commands
run help
saw \bstatus\b
saw \bsensors\b
saw \bcalibrate\b
saw \bconfig\b
saw \bwalk-test\b
saw \bevents\b
saw \bgpio\b
saw \bclock\b
saw \balarm\b
saw \bbuzzer\b
saw \bwatch\b
saw \blogout\b
step help calibrate: "usage: calibrate temp|humidity REFERENCE [SENSOR]"
run help calibrate
saw usage: calibrate temp\|humidity REFERENCE \[SENSOR\]
step logout: "logged out", and the shell exits with status 0
send logout\r
expect logged out
exit 0
EOF

session editing xterm-256color login -- "${SHELL_CMD[@]}" <<'EOF'
step Tab completes "sta" to "status "
send sta\t
expect status[ ]
send \r
expect occupancy
expect kizuna>[ ]
step Tab completes "calibrate te" to "calibrate temp "
send calibrate te\t
expect calibrate temp[ ]
send abc\r
expect usage: calibrate
expect kizuna>[ ]
step Tab completes a config key: "config get rules.inactivity.d" to rules.inactivity.day (3h)
send config get rules.inactivity.d\t
expect rules\.inactivity\.day
send \r
expect \b3h\b
expect kizuna>[ ]
step Backspace (0x7f) deletes: "statx", Backspace, "us" runs status
send statx\x7fus\r
expect occupancy
expect kizuna>[ ]
step Backspace (0x08) deletes: "clockk", Backspace runs clock
send clockk\x08\r
expect monotonic
expect kizuna>[ ]
step Ctrl-U clears the line: "garbage", Ctrl-U, "gpio" runs gpio
send garbage\x15gpio\r
expect PIR_LIVING
expect kizuna>[ ]
step Ctrl-C prints ^C and a fresh prompt, and drops the line: "statu", Ctrl-C, "clock" runs clock
send statu\x03
expect \^C
expect kizuna>[ ]
send clock\r
expect monotonic
expect kizuna>[ ]
step LF ends a line
send clock\n
expect monotonic
expect kizuna>[ ]
step CRLF ends a line
send status\r\n
expect occupancy
expect kizuna>[ ]
send clock\r
expect monotonic
expect kizuna>[ ]
step Up arrow recalls history: clock, gpio, then Up Up runs clock
send gpio\r
expect PIR_LIVING
expect kizuna>[ ]
send \x1b[A\x1b[A\r
expect monotonic
expect kizuna>[ ]
step Down arrow goes forward again: after clock, gpio, clock, Up Up Down runs clock
send \x1b[A\x1b[A\x1b[B\r
expect monotonic
expect kizuna>[ ]
step Ctrl-D on an empty line logs out, exit status 0
send \x04
expect logged out
exit 0
EOF

session dumb dumb login -- "${SHELL_CMD[@]}" <<'EOF'
step TERM=dumb: status and sensors answer
run status
saw occupancy
run sensors
saw ^temperature\.living
step TERM=dumb: Tab, Backspace, Up arrow and Ctrl-C still work
send sta\t\r
expect occupancy
expect kizuna>[ ]
send clockx\x7f\r
expect monotonic
expect kizuna>[ ]
send \x1b[A\r
expect monotonic
expect kizuna>[ ]
send statu\x03
expect \^C
expect kizuna>[ ]
run calibrate temp
saw usage: calibrate
step TERM=dumb: logout
send logout\r
expect logged out
exit 0
step TERM=dumb: not one escape byte (0x1B) in the whole session
absent \x1b
EOF

session idle xterm-256color login -- "${SHELL_CMD[@]}" <<'EOF'
step idle: still logged in 2 s after the last command
run clock
sleep 2
absent session ended
step idle: after 3 s without a key "session ended: idle", and exit status 0
timeout 5
expect session ended: idle
exit 0
EOF

sleep 1  # the BME280 is read every 2 s: some readings are in
session commands dumb login -- "${SHELL_CMD[@]}" <<'EOF'
step an unknown command: "unknown command 'stauts'; did you mean 'status'?"
run stauts
saw unknown command 'stauts'; did you mean 'status'\?
step events abc: a line saying what is wrong, then "usage: events"
run events abc
saw \A\s*(?!usage:)\S[^\n]*\n(?:[^\n]*\n)*?usage: events
step calibrate temp: a line saying what is wrong, then "usage: calibrate"
run calibrate temp
saw \A\s*(?!usage:)\S[^\n]*\n(?:[^\n]*\n)*?usage: calibrate
step calibrate temp abc: a line saying what is wrong, then "usage: calibrate"
run calibrate temp abc
saw \A\s*(?!usage:)\S[^\n]*\n(?:[^\n]*\n)*?usage: calibrate
step status: occupancy and the last sign of life
run status
saw occupancy
saw last sign of life
saw ^routine: (off|learning|learned)[^\n]*a silence from now alarms after
step sensors: one line per sensor, starting with its name
run sensors
saw ^pir\.living\b
saw ^pir\.kitchen\b
saw ^pir\.bedroom\b
saw ^pir\.bathroom\b
saw ^pir\.entrance\b
saw ^door\.entrance\b
saw ^button\.help\b
saw ^temperature\.living\b
saw ^humidity\.living\b
step sensors: temperature.living 25.08 (raw 25.08) from the simulated BME280
saw ^(?=.*raw 25\.08)temperature\.living\s+25\.08\b
step sensors: the PIRs and the door are ok
saw ^pir\.living\b.*\bok\b
saw ^pir\.kitchen\b.*\bok\b
saw ^pir\.bedroom\b.*\bok\b
saw ^pir\.bathroom\b.*\bok\b
saw ^pir\.entrance\b.*\bok\b
saw ^door\.entrance\b.*\bok\b
step events 5: lines with sensor names
run events 5
saw \b(pir|door|button|temperature|humidity)\.[a-z]+\b
step gpio: the line names
run gpio
saw PIR_LIVING
saw DOOR_ENTRANCE
step clock: wall and monotonic
run clock
saw wall
saw monotonic
step alarm list: no open alarms (the resident keeps moving)
run alarm list
saw no open alarms
step buzzer test answers about the buzzer
run buzzer test
saw buzzer
step logout
send logout\r
expect logged out
exit 0
EOF
check "unknown and misused commands changed nothing: the config file is as written" cmp -s "$WORK/shell.yaml" "$WORK/shell.yaml.orig"

session calibrate dumb login -- "${SHELL_CMD[@]}" <<'EOF'
step calibrate temp 21.5: "temperature.living ... offset -3.58 ... saved"
run calibrate temp 21.5
saw ^(?=.*temperature\.living)(?=.*offset -3\.58)(?=.*saved)
step then sensors shows temperature.living 21.50 °C, raw 25.08
sleep 1.5
run clock
sleep 1
run sensors
saw ^(?=.*raw 25\.08)temperature\.living\s+21\.50?\b
step calibrate show lists temperature.living with offset -3.58
run calibrate show
saw ^(?=.*temperature\.living)(?=.*-3\.58)
step logout
send logout\r
expect logged out
exit 0
EOF
check "the config file now has offset: -3.58" grep -q 'offset: -3\.58' "$WORK/shell.yaml"
show "$WORK/shell.yaml"
check "shell.yaml.prev is the previous version of the config" cmp -s "$WORK/shell.yaml.prev" "$WORK/shell.yaml.orig"
check "the calibrated config still passes check-config (with idle_logout: 10m)" check_config 10m 0
show "$WORK/check.yaml" "$WORK/check.err"

cp "$WORK/shell.yaml" "$WORK/shell.yaml.before-config"
session config dumb login -- "${SHELL_CMD[@]}" <<'EOF'
step config get rules.inactivity.day: 3h
run config get rules.inactivity.day
saw \b3h\b
step config set rules.inactivity.day banana: "config set: ..." refused, nothing changed; still 3h
run config set rules.inactivity.day banana
saw ^config set:.*rules\.inactivity\.day
saw refused|nothing changed
run config get rules.inactivity.day
saw \b3h\b
step config set rules.inactivity.day 2h: applied
run config set rules.inactivity.day 2h
saw ^(?=.*\b2h\b)(?=.*applied)
step config diff: a - line with 3h, a + line with 2h
run config diff
saw ^-.*\b3h\b
saw ^\+.*\b2h\b
step config revert: config get says 3h again
run config revert
run config get rules.inactivity.day
saw \b3h\b
step logout
send logout\r
expect logged out
exit 0
EOF
check "after config revert the config file is unchanged (day: 3h)" \
    bash -c 'cmp -s "$1" "$2" && grep -q "day: 3h" "$1"' - "$WORK/shell.yaml" "$WORK/shell.yaml.before-config"
show "$WORK/shell.yaml"

# Any key ends watch and the walk test; Ctrl-U after it, in case the key stayed on the line.
session walk xterm-256color login -- "${SHELL_CMD[@]}" <<'EOF'
step watch prints updates
send watch\r
timeout 20
expect \b(pir|door|temperature|humidity)\.[a-z]+\b
step watch: any key ends it, the prompt comes back
send q
timeout 5
expect kizuna>[ ]
send \x15
step walk-test start 1: "walk test", then pir.living (the resident's motion) within 30 s
send walk-test start 1\r
timeout 5
expect walk test
timeout 30
expect pir\.living
step walk test: any key stops it, "walk test stopped"
send q
timeout 5
expect walk test stopped
expect kizuna>[ ]
send \x15
step walk-test start 1 without a key: not over after 45 s, "walk test ended" by 80 s
send walk-test start 1\r
expect walk test
sleep 45
absent walk test ended
timeout 35
expect walk test ended
timeout 5
expect kizuna>[ ]
step logout
send \x15logout\r
expect logged out
exit 0
EOF

# --- 3. A serial line: socat's pty pair, the shell on one end, expect on the other ------------
socat -d -d "pty,raw,echo=0,link=$WORK/ttyS0" "pty,raw,echo=0,link=$WORK/ttyS1" > /dev/null 2> "$WORK/socat.log" &
PIDS+=($!)
check "socat made the pty pair ($WORK/ttyS0, $WORK/ttyS1)" wait_for test -e "$WORK/ttyS1" -a -e "$WORK/ttyS0"
show "$WORK/socat.log"
expect "$HERE/serial.exp" "$WORK/ttyS1" "$PIN" > "$WORK/serial.log" 2>&1 &
EXPECT=$!
PIDS+=($EXPECT)
sleep 1  # expect has the line open before the shell writes its banner
"$KIZUNA" shell --config "$WORK/shell.yaml" --tty "$WORK/ttyS0" --baud 115200 < /dev/null > "$WORK/serial-shell.out" 2>&1 &
SERIAL=$!
PIDS+=($SERIAL)
rc=0; wait "$EXPECT" || rc=$?
check "serial, 115200 8N1 (expect): PIN, status, logout, then the banner and PIN: again — $(grep '^serial:' "$WORK/serial.log" | tail -1)" [ "$rc" = 0 ]
show "$WORK/serial.log" "$WORK/serial-shell.out"
check "the serial shell keeps running after the logout (getty-like)" kill -0 "$SERIAL"
kill "$SERIAL" 2>/dev/null || true
wait "$SERIAL" 2>/dev/null || true

# --- The calibration survives a restart of the runtime; calibrate reset ----------------------
stop_demo
check "the runtime stops cleanly on SIGTERM (status $rc)" [ "$rc" = 0 ]
show "$WORK/demo1.err"
rm -f "$WORK/control.sock"
check "the runtime starts again with the calibrated config" start_demo demo2
show "$WORK/demo2.out" "$WORK/demo2.err"
sleep 2.5  # a first reading of the BME280
session restart dumb login -- "${SHELL_CMD[@]}" <<'EOF'
step after the restart sensors still shows temperature.living 21.50 °C (raw 25.08)
run sensors
saw ^(?=.*raw 25\.08)temperature\.living\s+21\.50?\b
step calibrate reset temperature.living: sensors shows 25.08 again
run calibrate reset temperature.living
sleep 1.5
run clock
sleep 1
run sensors
saw ^(?=.*raw 25\.08)temperature\.living\s+25\.08\b
step calibrate reset again: nothing to reset, nothing saved
run calibrate reset temperature.living
saw no calibration on temperature\.living: nothing to reset
step logout
send logout\r
expect logged out
exit 0
EOF

# --- 4. Lockout: 5 wrong PINs in a row, across shell processes; then the audit ---------------
session lockout1 xterm-256color nologin -- "${SHELL_CMD[@]}" <<'EOF'
step three wrong PINs: 4, 3, 2 tries left
expect PIN:[ ]
send ${WRONG_PIN}\r
expect wrong PIN \(4 tries left\)
expect PIN:[ ]
send ${WRONG_PIN}\r
expect wrong PIN \(3 tries left\)
expect PIN:[ ]
send ${WRONG_PIN}\r
expect wrong PIN \(2 tries left\)
expect PIN:[ ]
close
EOF
session lockout2 xterm-256color nologin -- "${SHELL_CMD[@]}" <<'EOF'
step the count goes on in a new shell process: 1 try left
expect PIN:[ ]
send ${WRONG_PIN}\r
expect wrong PIN \(1 tr(y|ies) left\)
expect PIN:[ ]
step the fifth wrong PIN locks: "locked after 5 wrong PINs: try again in 4m59s"
send ${WRONG_PIN}\r
expect locked .* try again in \d+m\d+s
close
EOF
session lockout3 xterm-256color nologin -- "${SHELL_CMD[@]}" <<'EOF'
step while locked even the right PIN is refused, with the locked message
expect PIN:[ ]
send ${PIN}\r
expect locked .* try again in \d+m\d+s
sleep 0.5
absent logged in
close
EOF

stop_demo
check "the restarted runtime stops cleanly on SIGTERM (status $rc)" [ "$rc" = 0 ]
show "$WORK/demo2.err"

# audit CHECK: one question about the store's audit table (python3's sqlite3), exit 0 if so.
audit() {
    python3 - "$WORK/flat.sqlite" "$PIN" "$@" <<'PY'
import sqlite3, sys
path, pin, what = sys.argv[1:4]
db = sqlite3.connect(path)
def count(where, *args):
    return db.execute("SELECT COUNT(*) FROM audit WHERE " + where, args).fetchone()[0]
if what == "columns":
    columns = {r[1] for r in db.execute("PRAGMA table_info(audit)")}
    print("   ", sorted(columns))
    sys.exit(0 if {"actor", "action", "detail"} <= columns else 1)
if what == "count":
    action, least = sys.argv[4], int(sys.argv[5])
    n = count("action = ?", action)
    print(f"    {n} rows with action '{action}', expected at least {least}")
    sys.exit(0 if n >= least else 1)
if what == "command":
    n = count("action = 'command' AND detail = ?", sys.argv[4])
    print(f"    {n} command rows with detail '{sys.argv[4]}'")
    sys.exit(0 if n >= 1 else 1)
if what == "no-pin":
    rows = db.execute("SELECT * FROM audit").fetchall()
    leaks = [r for r in rows if any(pin in (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)) for v in r)]
    print(f"    {len(rows)} rows, {len(leaks)} with the PIN")
    sys.exit(0 if rows and not leaks else 1)
PY
}
check "audit: the table has actor, action and detail columns" audit columns
logins=$(grep -l 'logged in' "$WORK"/*.transcript "$WORK/serial.log" 2>/dev/null | wc -l || true)
[ "$logins" -ge 1 ] || logins=1
check "audit: a login-failed row for each wrong PIN (6 or more)" audit count login-failed 6
check "audit: a login row for each of the $logins shells that logged in" audit count login "$logins"
for line in "calibrate temp 21.5" "config set rules.inactivity.day 2h" "status" "calibrate reset temperature.living"; do
    check "audit: a command row with detail '$line'" audit command "$line"
done
check "audit: the PIN appears in no row" audit no-pin
if [ "$failed" -gt 0 ]; then
    echo "---- audit table"
    python3 -c 'import sqlite3,sys; [print("    |", r) for r in sqlite3.connect(sys.argv[1]).execute("SELECT * FROM audit")]' "$WORK/flat.sqlite" 2>&1 | tail -40 || true
fi

finish
[ "$failed" = 0 ]
