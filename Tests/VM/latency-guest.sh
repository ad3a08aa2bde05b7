#!/bin/sh
# Tests/VM/latency-guest.sh - guest script: edge-to-output latency of a program under test.
#
# usage (through run.sh):
#   Tests/VM/run.sh Tests/VM/latency-guest.sh [-n EDGES] [-i IN] [-o OUT] [-l LABEL]
#                   [-d DELAY_S] [-w READY_TIMEOUT_S] -- PROGRAM [ARGS...]
# e.g. ... latency-guest.sh -- /var/cache/kizuna-vm/bin/latency kizuna-sim 0 5 1000
#
# Creates the gpio-sim chip LABEL (default kizuna-sim) with 8 lines (PIR_LIVING,
# PIR_BEDROOM, DOOR_ENTRANCE, BUTTON_HELP, BUZZER, LED_STATUS, 2 unnamed), starts
# PROGRAM, waits until it has requested lines IN (default 0, PIR_LIVING) and OUT (default
# 5, LED_STATUS) and mirrors IN on OUT, then toggles IN's pull EDGES times (default 1000).
# Handshake: after each edge it waits until OUT follows IN before the next toggle, so
# exactly one edge is in flight (the v1 event queue holds only 16). Optional DELAY_S
# (e.g. 0.01) idles between edges. PROGRAM is expected to exit after EDGES edges (the C
# reference does); otherwise it gets SIGTERM then SIGKILL. Its output is printed, and its
# "latency_us ..." line last, as "RESULT: latency_us p50=.. p99=.. n=..".
# With KIZUNA_VM_OUT set, the program's output is also saved as $KIZUNA_VM_OUT/latency.txt.
# Exit status: 0 ok, 1 handshake timeout / no result line / program failure, 2 usage.
set -u
# shellcheck source=lib.sh
. "${KIZUNA_VM_LIB:?run me through Tests/VM/run.sh}"

N=1000 IN=0 OUT=5 LABEL=kizuna-sim DELAY="" READY=30
usage() { sed -n '4,6p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
		-n) N=$2; shift 2 ;;
		-i) IN=$2; shift 2 ;;
		-o) OUT=$2; shift 2 ;;
		-l) LABEL=$2; shift 2 ;;
		-d) DELAY=$2; shift 2 ;;
		-w) READY=$2; shift 2 ;;
		--) shift; break ;;
		*) usage ;;
	esac
done
[ $# -ge 1 ] || usage

gpiosim_create latency "$LABEL" 8 \
	PIR_LIVING PIR_BEDROOM DOOR_ENTRANCE BUTTON_HELP BUZZER LED_STATUS - - || exit 1
gpiosim_pull "$IN" down
LOG=/tmp/latency-program.out
vm_log "gpio-sim $GPIOSIM_CHIP ($LABEL) live; starting: $*"
"$@" > "$LOG" 2>&1 &
PID=$!

fail() {
	vm_log "FAIL: $*"
	kill -TERM "$PID" 2>/dev/null; sleep 1; kill -KILL "$PID" 2>/dev/null
	echo "---- program output"; cat "$LOG"
	exit 1
}

gpiosim_wait_requested "$IN" "$READY" && gpiosim_wait_requested "$OUT" "$READY" ||
	fail "program did not request lines $IN and $OUT within ${READY}s"
gpiosim_wait_value "$OUT" 0 5 || fail "output line $OUT did not start low (mirroring input $IN)"
vm_log "program ready (pid $PID), toggling line $IN $N times"

SIMIN=$GPIOSIM_DIR/sim_gpio$IN/pull
SIMOUT=$GPIOSIM_DIR/sim_gpio$OUT/value
T0=$(date +%s%N)
i=0 level=0 polls=0
while [ "$i" -lt "$N" ]; do
	level=$((1 - level))
	if [ "$level" = 1 ]; then echo pull-up > "$SIMIN"; else echo pull-down > "$SIMIN"; fi
	# wait for OUT to follow; builtin read first (no fork), sleep only if not there yet
	tries=0
	while read -r v < "$SIMOUT"; [ "$v" != "$level" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 5000 ] || fail "output $OUT did not follow edge $((i + 1)) (level $level) within ~5s"
		sleep 0.001
	done
	polls=$((polls + tries))
	i=$((i + 1))
	[ -z "$DELAY" ] || sleep "$DELAY"
done
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
vm_log "$N edges in $MS ms ($((MS * 1000 / N)) us per edge round trip, $polls extra polls)"

# let the program finish on its own, then ask it to
k=0
while kill -0 "$PID" 2>/dev/null && [ $k -lt 150 ]; do sleep 0.1; k=$((k + 1)); done
if kill -0 "$PID" 2>/dev/null; then
	vm_log "program still running after 15 s: SIGTERM"
	kill -TERM "$PID"
	k=0; while kill -0 "$PID" 2>/dev/null && [ $k -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
	kill -KILL "$PID" 2>/dev/null
fi
wait "$PID"; RC=$?
echo "---- program output (exit status $RC)"
cat "$LOG"
[ -n "${KIZUNA_VM_OUT:-}" ] && cp "$LOG" "$KIZUNA_VM_OUT/latency.txt"
RESULT=$(grep '^latency_us ' "$LOG" | tail -n 1)
[ -n "$RESULT" ] || { vm_log "FAIL: no 'latency_us ...' line from the program"; exit 1; }
echo "RESULT: $RESULT"
[ "$RC" = 0 ] || [ "$RC" = 143 ] || { vm_log "FAIL: program exit status $RC"; exit 1; }
exit 0
