#!/bin/bash
# Tests/VM/run-latency.sh - host wrapper: measure edge-to-output latency in the VM.
#
# usage: run-latency.sh [latency-guest.sh options] [-- PROGRAM [ARGS...]]
#   without PROGRAM: the C reference, $KIZUNA_VM_CACHE/bin/latency kizuna-sim IN OUT EDGES
#   e.g.  run-latency.sh                       (1000 edges, line 0 -> line 5)
#         run-latency.sh -n 200 -d 0.01        (idle 10 ms between edges; ~60 ms/edge under TCG)
#         run-latency.sh -- /work/main/.build/debug/kizuna --some --args
# Prints the guest console; the last line is "RESULT: latency_us p50=.. p99=.. n=..".
# Exit status: run.sh's (0 = a result line was produced).
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KIZUNA_VM_CACHE:-/var/cache/kizuna-vm}

OPTS=() N=1000 IN=0 OUT=5 LABEL=kizuna-sim
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	case $1 in
		-n) N=$2 ;;
		-i) IN=$2 ;;
		-o) OUT=$2 ;;
		-l) LABEL=$2 ;;
		-d|-w) ;;
		*) echo "run-latency.sh: unknown option $1" >&2; exit 2 ;;
	esac
	[ $# -ge 2 ] || { echo "run-latency.sh: $1 needs a value" >&2; exit 2; }
	OPTS+=("$1" "$2"); shift 2
done
[ "${1:-}" = -- ] && shift
"$HERE/prepare.sh" >&2            # also (re)builds $CACHE/bin/latency from latency.c
[ $# -gt 0 ] || set -- "$CACHE/bin/latency" "$LABEL" "$IN" "$OUT" "$N"
exec "$HERE/run.sh" "$HERE/latency-guest.sh" "${OPTS[@]}" -- "$@"
