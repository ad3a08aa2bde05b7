#!/bin/sh
# Tests/VM/harness-probe.sh - guest script used by run-selftest.sh to check run.sh itself.
# usage (guest): harness-probe.sh exit N [ARGS...]   record the arguments, exit with status N
#                harness-probe.sh sleep SECONDS       hang (timeout test)
#                harness-probe.sh env                 print the guest environment and mounts
# Arguments are written one per line to $KIZUNA_VM_OUT/probe-args.txt (if KIZUNA_VM_OUT is set).
set -eu
cmd=${1:?usage: harness-probe.sh exit N [ARGS...] | sleep SECONDS | env}
shift
case $cmd in
exit)
	n=${1:?exit status}
	shift
	if [ -n "${KIZUNA_VM_OUT:-}" ]; then
		: > "$KIZUNA_VM_OUT/probe-args.txt"
		for a in "$@"; do printf '%s\n' "$a" >> "$KIZUNA_VM_OUT/probe-args.txt"; done
	fi
	exit "$n" ;;
sleep)
	sleep "${1:?seconds}" ;;
env)
	echo "uname: $(uname -r)"; echo "pwd: $(pwd)"; env | sort; echo; cat /proc/mounts; lsmod ;;
*)
	echo "harness-probe.sh: unknown command $cmd" >&2; exit 2 ;;
esac
