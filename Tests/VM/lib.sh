# shellcheck shell=sh disable=SC3043
# (SC3043: "local" is not POSIX, but dash and busybox sh - the guest shells - have it)
# Tests/VM/lib.sh - helpers for guest scripts run by Tests/VM/run.sh (POSIX sh, dash/busybox).
# Source it from a guest script:   . "$KIZUNA_VM_LIB"
#
# Test bookkeeping
#   vm_log MSG...                      "[t=12.34s] MSG" (guest uptime) on stdout
#   vm_check_eq GOT WANT DESC          prints PASS/FAIL, counts failures in VM_FAILS
#   vm_check DESC CMD [ARGS...]        runs CMD, PASS if it exits 0
#   vm_not CMD [ARGS...]               succeeds when CMD fails (for vm_check/vm_wait)
#   vm_wait TIMEOUT_S CMD [ARGS...]    retries CMD every 20 ms until it succeeds (0) or times out (1)
#   vm_finish                          prints a summary and exits with status min(VM_FAILS, 100)
# gpio-sim (Linux 6.1 configfs interface; one bank per chip)
#   gpiosim_create NAME LABEL NUM_LINES [LINE_NAME...]   build + go live; "-" leaves a line
#                                      unnamed. Sets GPIOSIM_NAME (default chip of the helpers
#                                      below), GPIOSIM_CHIP (gpiochipN), GPIOSIM_DIR (sysfs dir)
#   gpiosim_use NAME                   make NAME the default chip again (sets the 3 variables)
#   gpiosim_destroy [NAME]             take the chip down and remove its configuration
#   gpiosim_chip [NAME]                prints the gpiochipN name (for gpioget/gpioset/gpiomon)
#   gpiosim_sysfs_dir [NAME]           prints /sys/devices/platform/gpio-sim.X/gpiochipN
#   gpiosim_pull OFFSET up|down [NAME] drive an input from outside (an edge if it changes)
#   gpiosim_get_pull OFFSET [NAME]     prints pull-up or pull-down
#   gpiosim_value OFFSET [NAME]        prints 0/1: what a program drives on an output line
#                                      (for an input or unrequested line: the pull)
#   gpiosim_wait_value OFFSET 0|1 [TIMEOUT_S=5] [NAME]   wait until gpiosim_value matches
#   gpiosim_wait_requested OFFSET [TIMEOUT_S=10] [NAME]  wait until a program requested the line
# i2c-stub (SMBus-only simulated chips at $KIZUNA_VM_I2C_ADDR, default 0x76)
#   i2cstub_bus                        prints N of /dev/i2c-N (adapter named "SMBus stub driver")
#   i2cstub_dev                        prints /dev/i2c-N
#   i2cstub_addrs                      prints the current chip addresses, e.g. "0x76 0x23"
#   i2cstub_set ADDR REG VALUE [b|w]   register write (i2cset -y); w: 16-bit word cell
#   i2cstub_get ADDR REG [b|w]         register read (i2cget -y), prints 0xNN / 0xNNNN
#   i2cstub_remove ADDR                the chip at ADDR stops answering (ENODEV), the bus stays
#   i2cstub_restore ADDR               the chip at ADDR answers again
#     Both reload the i2c-stub module (chip_addr is fixed at load time), so: ALL stub
#     registers are reset to 0 (re-seed them), and it fails while any process holds
#     /dev/i2c-N open (the module is in use) - the program under test must open the device
#     per transaction/poll cycle for this to be testable.

VM_FAILS=${VM_FAILS:-0}
GPIOSIM_CONFIGFS=/sys/kernel/config/gpio-sim

vm_log() { echo "[t=$(cut -d' ' -f1 /proc/uptime)s] $*"; }

vm_check_eq() {   # GOT WANT DESC
	if [ "$1" = "$2" ]; then
		echo "PASS: $3 ($1)"
	else
		echo "FAIL: $3 (got '$1', want '$2')"
		VM_FAILS=$((VM_FAILS + 1))
	fi
}

vm_check() {      # DESC CMD [ARGS...]
	_vm_desc=$1; shift
	if "$@"; then echo "PASS: $_vm_desc"; else echo "FAIL: $_vm_desc (exit status $?)"; VM_FAILS=$((VM_FAILS + 1)); fi
}

vm_not() { ! "$@"; }

vm_wait() {       # TIMEOUT_S CMD [ARGS...]
	_vm_end=$(($(date +%s%N) + $1 * 1000000000)); shift
	while ! "$@"; do
		[ "$(date +%s%N)" -lt "$_vm_end" ] || return 1
		sleep 0.02
	done
}

vm_finish() {
	if [ "$VM_FAILS" = 0 ]; then vm_log "all checks passed"; else vm_log "$VM_FAILS check(s) FAILED"; fi
	[ "$VM_FAILS" -gt 100 ] && exit 100
	exit "$VM_FAILS"
}

_vm_die() { echo "lib.sh: $*" >&2; return 1; }

# ------------------------------------------------------------------ gpio-sim

gpiosim_create() {   # NAME LABEL NUM_LINES [LINE_NAME...]
	[ $# -ge 3 ] || { _vm_die "usage: gpiosim_create NAME LABEL NUM_LINES [LINE_NAME...]"; return 1; }
	local name="$1" label="$2" n="$3" g line off=0
	shift 3
	g=$GPIOSIM_CONFIGFS/$name
	[ -d "$GPIOSIM_CONFIGFS" ] || { _vm_die "gpio-sim not loaded (no $GPIOSIM_CONFIGFS)"; return 1; }
	[ ! -e "$g" ] || { _vm_die "gpio-sim chip '$name' already exists"; return 1; }
	[ $# -le "$n" ] || { _vm_die "gpiosim_create: $# line names for $n lines"; return 1; }
	# everything (lines, label, names) must be configured before 'live'
	mkdir "$g" "$g/bank0" &&
		echo "$n" > "$g/bank0/num_lines" &&
		echo "$label" > "$g/bank0/label" || { _vm_die "configuring $g failed"; return 1; }
	for line in "$@"; do
		if [ "$line" != - ] && [ -n "$line" ]; then
			mkdir "$g/bank0/line$off" && echo "$line" > "$g/bank0/line$off/name" ||
				{ _vm_die "naming line $off '$line' failed"; return 1; }
		fi
		off=$((off + 1))
	done
	echo 1 > "$g/live" || { _vm_die "bringing gpio-sim chip '$name' live failed"; return 1; }
	gpiosim_use "$name"
}

gpiosim_use() {      # NAME
	local g=$GPIOSIM_CONFIGFS/$1
	[ "$(cat "$g/live" 2>/dev/null)" = 1 ] || { _vm_die "no live gpio-sim chip '$1'"; return 1; }
	GPIOSIM_NAME=$1
	GPIOSIM_CHIP=$(cat "$g/bank0/chip_name")
	GPIOSIM_DIR=/sys/devices/platform/$(cat "$g/dev_name")/$GPIOSIM_CHIP
	[ -d "$GPIOSIM_DIR" ] || { _vm_die "sysfs dir $GPIOSIM_DIR missing"; return 1; }
}

gpiosim_destroy() {  # [NAME]
	local g="$GPIOSIM_CONFIGFS/${1:-$GPIOSIM_NAME}" d
	[ -d "$g" ] || return 0
	echo 0 > "$g/live"
	for d in "$g"/bank0/line*; do [ -d "$d" ] && rmdir "$d"; done
	rmdir "$g/bank0" "$g"
}

gpiosim_chip() {     # [NAME]
	cat "$GPIOSIM_CONFIGFS/${1:-${GPIOSIM_NAME:?no gpio-sim chip (gpiosim_create first)}}/bank0/chip_name"
}

gpiosim_sysfs_dir() { # [NAME]
	local g="$GPIOSIM_CONFIGFS/${1:-${GPIOSIM_NAME:?no gpio-sim chip (gpiosim_create first)}}"
	echo "/sys/devices/platform/$(cat "$g/dev_name")/$(cat "$g/bank0/chip_name")"
}

_gpiosim_line() {    # OFFSET ATTR [NAME] -> path of the sim_gpioOFFSET attribute
	local d
	if [ -n "${3:-}" ] || [ -z "${GPIOSIM_DIR:-}" ]; then d=$(gpiosim_sysfs_dir ${3:+"$3"}) || return 1
	else d=$GPIOSIM_DIR; fi
	[ -e "$d/sim_gpio$1/$2" ] || { _vm_die "no line $1 in $d"; return 1; }
	echo "$d/sim_gpio$1/$2"
}

gpiosim_pull() {     # OFFSET up|down [NAME]
	local p v
	p=$(_gpiosim_line "$1" pull "${3:-}") || return 1
	case $2 in
		up|pull-up|1) v=pull-up ;;
		down|pull-down|0) v=pull-down ;;
		*) _vm_die "gpiosim_pull: want up or down, got '$2'"; return 1 ;;
	esac
	echo "$v" > "$p"
}

gpiosim_get_pull() { # OFFSET [NAME]
	local p; p=$(_gpiosim_line "$1" pull "${2:-}") || return 1
	cat "$p"
}

gpiosim_value() {    # OFFSET [NAME]
	local p; p=$(_gpiosim_line "$1" value "${2:-}") || return 1
	cat "$p"
}

# Samples the line without starting a process (the guest runs under TCG, where each `date`
# and `sleep` started costs tens of milliseconds: a loop of them sampled every ~300 ms, the
# very period of the pre-alarm's two 150 ms beeps, and could miss every beep). The clock is
# /proc/uptime (centiseconds) read by the shell itself; the loop yields to kizuna by the
# scheduler's wake-up preemption (one vCPU).
gpiosim_wait_value() {  # OFFSET 0|1 [TIMEOUT_S] [NAME]
	local p v up end
	p=$(_gpiosim_line "$1" value "${4:-}") || return 1
	read -r up _ < /proc/uptime
	end=$(( ${up%.*}${up#*.} + ${3:-5} * 100 ))   # centiseconds
	while :; do
		read -r v < "$p"
		[ "$v" = "$2" ] && return 0
		read -r up _ < /proc/uptime
		[ "${up%.*}${up#*.}" -lt "$end" ] || return 1
	done
}

_gpiosim_requested() {  # CHIP OFFSET
	gpioinfo "$1" 2>/dev/null | awk -v o="$2:" '$1 == "line" && $2 == o { found = /\[used/ } END { exit !found }'
}

gpiosim_wait_requested() {  # OFFSET [TIMEOUT_S] [NAME]
	local chip
	chip=$(gpiosim_chip ${3:+"$3"}) || return 1
	vm_wait "${2:-10}" _gpiosim_requested "$chip" "$1"
}

# ------------------------------------------------------------------ i2c-stub

i2cstub_bus() {
	local d
	for d in /sys/class/i2c-dev/i2c-*; do
		[ -r "$d/name" ] && [ "$(cat "$d/name")" = "SMBus stub driver" ] && { echo "${d##*/i2c-}"; return 0; }
	done
	_vm_die "no i2c-stub adapter (is i2c-stub loaded? i2c-dev?)"
}

i2cstub_dev() { local n; n=$(i2cstub_bus) && echo "/dev/i2c-$n"; }

i2cstub_set() {      # ADDR REG VALUE [b|w]
	local n; n=$(i2cstub_bus) || return 1
	i2cset -y "$n" "$1" "$2" "$3" "${4:-b}"
}

i2cstub_get() {      # ADDR REG [b|w]
	local n; n=$(i2cstub_bus) || return 1
	i2cget -y "$n" "$1" "$2" "${3:-b}"
}

i2cstub_addrs() {    # current chip addresses (0x03 is the parking address, not listed)
	local a out=
	for a in $(tr ',' ' ' < /sys/module/i2c_stub/parameters/chip_addr 2>/dev/null); do
		[ "$a" -gt 3 ] && out="$out $(printf '0x%02x' "$a")"
	done
	echo "${out# }"
}

_i2cstub_reload() {  # ADDR... (empty: park at 0x03 so the bus stays)
	local list n
	list=$(echo "$*" | tr ' ' ',')
	[ -n "$list" ] || list=0x03
	if ! rmmod i2c_stub 2>/dev/null; then
		_vm_die "cannot unload i2c-stub: a process still holds $(i2cstub_dev 2>/dev/null || echo /dev/i2c-N) open"
		return 1
	fi
	modprobe i2c-stub chip_addr="$list" || { _vm_die "modprobe i2c-stub chip_addr=$list failed"; return 1; }
	vm_wait 5 i2cstub_bus > /dev/null 2>&1 || { _vm_die "i2c-stub adapter did not come back"; return 1; }
	n=$(i2cstub_bus)
	vm_wait 5 test -c "/dev/i2c-$n" || { _vm_die "/dev/i2c-$n did not appear"; return 1; }
}

i2cstub_remove() {   # ADDR
	local a keep="" want
	want=$(printf '0x%02x' "$(( $1 ))")
	for a in $(i2cstub_addrs); do [ "$a" = "$want" ] || keep="$keep $a"; done
	# shellcheck disable=SC2086  # one argument per address
	_i2cstub_reload $keep
}

i2cstub_restore() {  # ADDR
	local a list want
	want=$(printf '0x%02x' "$(( $1 ))")
	list=$(i2cstub_addrs)
	for a in $list; do [ "$a" = "$want" ] && return 0; done
	# shellcheck disable=SC2086  # one argument per address
	_i2cstub_reload $list "$want"
}
