#!/bin/bash
# Tests/VM/run-selftest.sh - host-side proof that the VM harness works end to end.
#
# usage: run-selftest.sh [--quick]
#   1. prepare.sh (idempotent; installs/builds on first use)
#   2. run.sh selftest.sh: gpio-sim + i2c-stub checks in the guest, result file via KIZUNA_VM_OUT
#   3. (not with --quick) run.sh itself: exit status and argument passing (incl. >127),
#      the timeout, and a missing script
# Exit status 0 when everything passed.
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
QUICK=0
[ "${1:-}" = --quick ] && QUICK=1

FAILS=0
pass() { echo "run-selftest: PASS: $*"; }
fail() { echo "run-selftest: FAIL: $*"; FAILS=$((FAILS + 1)); }
t_ms() { date +%s%N | cut -c1-13; }

"$HERE/prepare.sh"

OUT=$(mktemp -d /tmp/kizuna-vm-selftest.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# ---- 2. the guest self test
t=$(t_ms)
rc=0; KIZUNA_VM_OUT=$OUT "$HERE/run.sh" "$HERE/selftest.sh" || rc=$?
echo "run-selftest: selftest VM run took $(( $(t_ms) - t )) ms"
[ "$rc" = 0 ] && pass "selftest.sh exit status 0" || fail "selftest.sh exit status $rc"
if [ "$(cat "$OUT/selftest.result" 2>/dev/null)" = failures=0 ]; then
	pass "guest wrote $OUT/selftest.result through KIZUNA_VM_OUT"
else
	fail "selftest.result missing or wrong: '$(cat "$OUT/selftest.result" 2>/dev/null)'"
fi

if [ "$QUICK" = 0 ]; then
	# ---- 3. run.sh: exit status + exact arguments
	rc=0; KIZUNA_VM_OUT=$OUT "$HERE/run.sh" "$HERE/harness-probe.sh" exit 7 "two words" "it's" '$HOME' '' 'a"b\c' > /dev/null || rc=$?
	[ "$rc" = 7 ] && pass "exit status 7 propagated" || fail "exit status: got $rc, want 7"
	want=$(printf '%s\n' "two words" "it's" '$HOME' '' 'a"b\c')
	[ "$(cat "$OUT/probe-args.txt" 2>/dev/null)" = "$want" ] && pass "arguments arrived unchanged" ||
		fail "arguments: got '$(cat "$OUT/probe-args.txt" 2>/dev/null)'"
	rc=0; "$HERE/run.sh" "$HERE/harness-probe.sh" exit 200 > /dev/null || rc=$?
	[ "$rc" = 200 ] && pass "exit status 200 propagated" || fail "exit status: got $rc, want 200"
	# ---- timeout
	t=$(t_ms)
	rc=0; KIZUNA_VM_TIMEOUT=12 "$HERE/run.sh" "$HERE/harness-probe.sh" sleep 600 > /dev/null || rc=$?
	[ "$rc" = 124 ] && pass "hung guest times out with 124 ($(( $(t_ms) - t )) ms)" || fail "timeout: got $rc, want 124"
	# ---- missing script: fails fast on the host
	rc=0; "$HERE/run.sh" "$HERE/no-such-script.sh" 2> /dev/null || rc=$?
	[ "$rc" != 0 ] && pass "missing guest script rejected (exit $rc)" || fail "missing guest script accepted"
fi

if [ "$FAILS" = 0 ]; then echo "run-selftest: all passed"; else echo "run-selftest: $FAILS failure(s)"; fi
[ "$FAILS" = 0 ]
