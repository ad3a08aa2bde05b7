#!/bin/sh
# Guest script: the real `kizuna` binary against the kernel's gpio-sim (issue: real GPIO).
# usage (through run.sh): kizuna-gpio.sh KIZUNA BOARDS_DIR CONFIG
# Each case prints PASS/FAIL lines; the exit status is the number of failed checks.
set -u
. "${KIZUNA_VM_LIB:?run me through Tests/VM/run.sh}"

K=$1 BOARDS=$2 CONF=$3
OUT=${KIZUNA_VM_OUT:-/tmp}/gpio
mkdir -p "$OUT"
LABEL=kizuna-gpio-sim
NAMES="PIR_LIVING PIR_KITCHEN PIR_BEDROOM PIR_BATHROOM PIR_ENTRANCE DOOR_ENTRANCE BUTTON_HELP BUZZER LED_STATUS - - - - - - -"
PIR=0 DOOR=5 BUZZER=7
# (A function run with & would be a subshell: signals sent to $! would miss kizuna.)
run_kizuna() { "$K" run --config "$CONF" --boards "$BOARDS" --short-timers "$@"; }
# Boot-clock nanoseconds from /proc/uptime (centiseconds).
uptime_ns() { u=$(cut -d' ' -f1 /proc/uptime); echo $(( ${u%.*} * 1000000000 + ${u#*.} * 10000000 )); }
# The value of "key":NUMBER in a JSON line.
json_num() { sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p"; }
count() { grep -c "$1" "$2" || true; }

vm_log "case: no chip at start -> clear error, exit status 69"
run_kizuna > "$OUT/nochip.out" 2> "$OUT/nochip.err"
vm_check_eq "$?" 69 "no chip: exit status 69 (so that systemd retries)"
vm_check "no chip: the message names the chip label and the config key" \
	grep -q "sensors.pir.living: no GPIO chip labelled '$LABEL'" "$OUT/nochip.err"

# shellcheck disable=SC2086
gpiosim_create kz "$LABEL" 16 $NAMES || exit 1

vm_log "case: a line held by another process -> EBUSY names the line"
gpiomon "$GPIOSIM_CHIP" $PIR > /dev/null 2>&1 &
MON=$!
gpiosim_wait_requested $PIR 10
run_kizuna > "$OUT/busy.out" 2> "$OUT/busy.err"
vm_check_eq "$?" 69 "busy: exit status 69"
vm_check "busy: the message names the key, the line and who holds it" \
	grep -q "sensors.pir.living: line $LABEL:0 is busy: held by another process ('gpiomon')" "$OUT/busy.err"
"$K" gpio-check --config "$CONF" --boards "$BOARDS" --short-timers > "$OUT/check-busy.out" 2>&1
vm_check_eq "$?" 69 "gpio-check with a busy line: exit status 69"
vm_check "gpio-check says who holds it" grep -q "BUSY: held by 'gpiomon'" "$OUT/check-busy.out"
kill $MON; wait $MON 2>/dev/null

"$K" gpio-check --config "$CONF" --boards "$BOARDS" --short-timers > "$OUT/check.out" 2>&1
vm_check_eq "$?" 0 "gpio-check: every line usable"
vm_check "gpio-check shows the chip device and the value" grep -q "pir.living .*/dev/$GPIOSIM_CHIP line 0 (PIR_LIVING) *value 0" "$OUT/check.out"
cat "$OUT/check.out"
# The wire's pull resistor is applied when gpio-check reads, as the runtime does (gpio-sim
# takes a requested bias as the line's pull): pull-up reads 1 on the idle line.
sed 's|^  pir.living: *{ line: PIR_LIVING }|  pir.living: { line: PIR_LIVING, bias: pull-up }|' "$CONF" > /tmp/kizuna-bias.yaml
"$K" gpio-check --config /tmp/kizuna-bias.yaml --boards "$BOARDS" --short-timers > "$OUT/check-bias.out" 2>&1
vm_check "gpio-check reads with the wire's bias (pull-up: value 1)" grep -q "pir.living .*line 0 (PIR_LIVING) *value 1" "$OUT/check-bias.out"
cat "$OUT/check-bias.out"
gpiosim_pull $PIR down   # a requested bias stays the sim line's pull: back to low for the cases below

vm_log "case: kizuna run on gpio-sim"
"$K" run --config "$CONF" --boards "$BOARDS" --short-timers --trace > "$OUT/run.jsonl" 2> "$OUT/run.err" &
PID=$!
vm_check "run: PIR and buzzer lines requested" gpiosim_wait_requested $BUZZER 40
vm_wait 20 grep -q '"type":"ready"' "$OUT/run.jsonl"

vm_log "case: a PIR edge becomes a motion event stamped by the kernel"
T0=$(uptime_ns)
gpiosim_pull $PIR up
T1=$(uptime_ns)
vm_check "motion: a motion-start event" vm_wait 10 grep -q '"kind":"motion-start","sensor":"pir.living"' "$OUT/run.jsonl"
LINE=$(grep '"kind":"motion-start","sensor":"pir.living"' "$OUT/run.jsonl" | head -1)
STAMP=$(echo "$LINE" | json_num monotonic_ns)
READ=$(echo "$LINE" | json_num read_ns)
vm_log "pull at [$T0, $T1] ns; event stamped $STAMP; read by the loop at $READ"
vm_check "motion: stamped between the pull and 10 ms after it (kernel time, boot clock)" \
	[ "$STAMP" -ge $((T0 - 10000000)) ] && [ "$STAMP" -le $((T1 + 10000000)) ]
vm_check "motion: stamped before the loop read it (not the read time)" [ "$STAMP" -lt "$READ" ]
gpiosim_pull $PIR down

vm_log "case: a door contact bouncing 11 times within 20 ms is one open event"
F=$GPIOSIM_DIR/sim_gpio$DOOR/pull
echo pull-up > "$F"; echo pull-down > "$F"; echo pull-up > "$F"; echo pull-down > "$F"
echo pull-up > "$F"; echo pull-down > "$F"; echo pull-up > "$F"; echo pull-down > "$F"
echo pull-up > "$F"; echo pull-down > "$F"; echo pull-up > "$F"
vm_wait 10 grep -q '"kind":"door-open"' "$OUT/run.jsonl"
sleep 1
EDGES=$(count '"type":"edge","sensor":"door.entrance"' "$OUT/run.jsonl")
FIRST=$(grep '"type":"edge","sensor":"door.entrance"' "$OUT/run.jsonl" | head -1 | json_num monotonic_ns)
LAST=$(grep '"type":"edge","sensor":"door.entrance"' "$OUT/run.jsonl" | tail -1 | json_num monotonic_ns)
# The debouncer restarts its 30 ms settle time at every edge: what makes one event of the
# bounce is that no gap between two edges reaches it (not how long the whole burst takes,
# which the guest's scheduling under TCG stretches).
GAP=$(grep '"type":"edge","sensor":"door.entrance"' "$OUT/run.jsonl" | json_num monotonic_ns |
	awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { printf "%d\n", m }')
vm_log "door: $EDGES raw edges over $(( (LAST - FIRST) / 1000 )) us, the longest gap $((GAP / 1000)) us"
vm_check_eq "$EDGES" 11 "bounce: the kernel delivered all 11 edges"
vm_check "bounce: every gap between edges shorter than the 30 ms settle time (the test's premise)" [ "$GAP" -lt 30000000 ]
vm_check_eq "$(count '"kind":"door-open"' "$OUT/run.jsonl")" 1 "bounce: exactly one door-open event"
vm_check_eq "$(count '"kind":"door-close"' "$OUT/run.jsonl")" 0 "bounce: no door-close event"
echo pull-down > "$F"
vm_check "door: closing is one door-close event" vm_wait 5 grep -q '"kind":"door-close"' "$OUT/run.jsonl"

vm_log "case: silence past the threshold -> pre-alarm -> buzzer on -> motion cancels"
vm_check "silence: an inactivity pre-alarm" vm_wait 20 grep -q '"type":"prealarm","kind":"inactivity"' "$OUT/run.jsonl"
vm_check "pre-alarm: the buzzer line goes high (read from sysfs)" gpiosim_wait_value $BUZZER 1 15
vm_check "no network alarm yet (grace time)" vm_not grep -q '"type":"alarm","kind":"inactivity"' "$OUT/run.jsonl"
gpiosim_pull $PIR up
vm_check "motion: the pre-alarm is cancelled" vm_wait 5 grep -q '"type":"cancel","kind":"inactivity".*"reason":"cancelled by motion in pir.living"' "$OUT/run.jsonl"
vm_check "motion: the buzzer line goes low" gpiosim_wait_value $BUZZER 0 5
sleep 1
vm_check_eq "$(gpiosim_value $BUZZER)" 0 "the buzzer stays off"
gpiosim_pull $PIR down

vm_log "case: the chip disappears at run time -> offline fault, the runtime goes on, and recovers"
gpiosim_destroy kz
vm_check "unplug: a sensor-fault alarm" vm_wait 10 grep -q '"type":"alarm","kind":"sensor-fault"' "$OUT/run.jsonl"
vm_check "unplug: kizuna keeps running" kill -0 $PID
# shellcheck disable=SC2086
gpiosim_create kz "$LABEL" 16 $NAMES || exit 1
vm_check "replug: the fault resolves by itself" vm_wait 30 grep -q '"type":"resolve","kind":"sensor-fault"' "$OUT/run.jsonl"
vm_check "replug: lines requested again" gpiosim_wait_requested $PIR 10

kill -TERM $PID
wait $PID
vm_check_eq "$?" 0 "SIGTERM: a clean exit"
echo "---- kizuna stderr"; cat "$OUT/run.err"

vm_log "case: the technician's shell, walk test on the real lines"
# The shell talks to this runtime over its control socket; the keys come through a FIFO
# (not a terminal: no raw mode needed), its screen goes to a file.
# The socket and the FIFO live on the guest's own tmpfs (the output share is 9p, which
# cannot hold special files).
PIN=4826
RUNDIR=/run/kizuna-shell
mkdir -p "$RUNDIR"
cp "$CONF" "$OUT/shell.yaml"
{ echo "shell:"; echo "  socket: $RUNDIR/control.sock"; echo "  pin_hash: \"$(echo $PIN | "$K" pin-hash)\""; } >> "$OUT/shell.yaml"
"$K" run --config "$OUT/shell.yaml" --boards "$BOARDS" --short-timers --trace > "$OUT/shell-run.jsonl" 2> "$OUT/shell-run.err" &
PID=$!
vm_check "shell: the runtime makes its control socket" vm_wait 20 test -S "$RUNDIR/control.sock"
mkfifo "$RUNDIR/keys"
"$K" shell --config "$OUT/shell.yaml" --boards "$BOARDS" < "$RUNDIR/keys" > "$OUT/shell.out" 2>&1 &
SHELL_PID=$!
exec 3> "$RUNDIR/keys"
printf '%s\r' "$PIN" >&3
vm_check "shell: logged in with the PIN" vm_wait 30 grep -q "logged in" "$OUT/shell.out"
printf 'gpio\r' >&3
vm_check "shell: gpio names the real lines" vm_wait 10 grep -q "PIR_LIVING.*pir.living.*input" "$OUT/shell.out"
printf 'walk-test start 1\r' >&3
vm_check "shell: walk test on" vm_wait 10 grep -q "walk test on for 1m" "$OUT/shell.out"
gpiosim_pull $PIR up
vm_check "walk test: a PIR edge sounds the buzzer line (sysfs)" gpiosim_wait_value $BUZZER 1 15
vm_check "walk test: the shell shows the trigger" vm_wait 5 grep -q "pir.living  motion" "$OUT/shell.out"
gpiosim_pull $PIR down
vm_check "walk test: the buzzer follows the PIR back down" gpiosim_wait_value $BUZZER 0 5
gpiosim_pull 6 up
vm_check "walk test: the help button sounds the buzzer" gpiosim_wait_value $BUZZER 1 15
vm_check "walk test: the shell shows the button" vm_wait 5 grep -q "button.help  pressed" "$OUT/shell.out"
gpiosim_pull 6 down
sleep 1
vm_check "walk test: the help button called nobody (no help alarm)" vm_not grep -q '"kind":"help"' "$OUT/shell-run.jsonl"
printf 'x' >&3
vm_check "walk test: a key stops it" vm_wait 5 grep -q "walk test stopped" "$OUT/shell.out"
printf 'logout\r' >&3
exec 3>&-
wait $SHELL_PID
vm_check_eq "$?" 0 "shell: logout, exit status 0"
vm_check "shell: the screen says logged out" grep -q "logged out" "$OUT/shell.out"
kill -TERM $PID
wait $PID
vm_check_eq "$?" 0 "shell: the runtime stops cleanly"
echo "---- kizuna shell screen"; cat "$OUT/shell.out"
vm_log "case: the door found open at the start -> watched from the start, no door-open event"
# Door limits of 3 s, the silence's far away (its pre-alarm would sound the buzzer too).
sed -e 's/^rules:$/rules: { door_open: { day: 3s, night: 3s }, inactivity: { day: 1h, night: 1h } }/' \
	-e '/^  inactivity:/d' "$CONF" > "$OUT/door.yaml"
gpiosim_pull $DOOR up
"$K" run --config "$OUT/door.yaml" --boards "$BOARDS" --short-timers --trace > "$OUT/door-boot.jsonl" 2> "$OUT/door-boot.err" &
PID=$!
vm_check "door open at the start: a door-open pre-alarm" vm_wait 20 grep -q '"type":"prealarm","kind":"door-open"' "$OUT/door-boot.jsonl"
vm_check "door open at the start: the buzzer line goes high" gpiosim_wait_value $BUZZER 1 15
vm_check_eq "$(count '"kind":"door-open","sensor"' "$OUT/door-boot.jsonl")" 0 "door open at the start: no door-open event (the level read is no change)"
gpiosim_pull $DOOR down
vm_check "closing the door cancels the pre-alarm" vm_wait 5 grep -q '"type":"cancel","kind":"door-open"' "$OUT/door-boot.jsonl"
vm_check "closing the door: the buzzer line goes low" gpiosim_wait_value $BUZZER 0 5
kill -TERM $PID
wait $PID
vm_check_eq "$?" 0 "door at the start: the runtime stops cleanly"
vm_finish
