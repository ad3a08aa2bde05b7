#!/bin/bash
# Tests/VM/prepare.sh - install and build everything the Kizuna VM harness needs.
#
# Idempotent and cached: a second run only checks and prints (well under a second).
#   1. Debian packages (apt-get update + install, only when something is missing)
#   2. an uncompressed vmlinux of Debian's kernel (PVH boot: ~2.4 s faster per boot under TCG)
#   3. gpio-sim.ko built out of tree (no Debian kernel enables CONFIG_GPIO_SIM)
#   4. a tiny initramfs (busybox + virtio/9p/overlay modules + gpio-sim.ko + initramfs-init)
#   5. the C latency reference program (latency.c, libgpiod v1)
#
# Cache: ${KIZUNA_VM_CACHE:-/var/cache/kizuna-vm}/<KVER>/ and .../bin/ (outside the repo).
# usage: prepare.sh [--force]     (--force: rebuild the cached artifacts, not the packages)
set -eu -o pipefail
. "$(dirname "$0")/host-common.sh"

FORCE=0
case ${1:-} in
	--force) FORCE=1 ;;
	"") ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (usage: prepare.sh [--force])" ;;
esac

T0=$(date +%s%N)
step() { local ms=$(( ($(date +%s%N) - T0) / 1000000 )); note "[$((ms / 1000)).$(printf %03d $((ms % 1000)))s] $*"; }

# ---------------------------------------------------------------- 1. packages
# linux-headers-amd64 pulls the headers of the
# kernel linux-image-amd64 points at; we double-check linux-headers-$KVER below.
PKGS=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source-6.1
	busybox-static gpiod libgpiod-dev i2c-tools libi2c-dev
	cpio gzip xz-utils gcc libc6-dev make kmod binutils util-linux)

missing_pkgs() {   # prints the packages of "$@" that are not installed
	local installed
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null | awk '$2 == "ii" { print $1 }' || true)
	local p
	for p in "$@"; do grep -qx "$p" <<<"$installed" || echo "$p"; done
}

APT_UPDATED=0
apt_install() {
	[ "$(id -u)" = 0 ] || die "need root to apt-get install: $*"
	if [ "$APT_UPDATED" = 0 ]; then
		step "apt-get update"
		apt-get -o DPkg::Lock::Timeout=600 update -q || die "apt-get update failed"
		APT_UPDATED=1
	fi
	step "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
		--no-install-recommends "$@" || die "apt-get install failed: $*"
}

mapfile -t MISSING < <(missing_pkgs "${PKGS[@]}")
[ ${#MISSING[@]} = 0 ] || apt_install "${MISSING[@]}"

KVER=$(vm_kver)
[ -n "$KVER" ] || die "cannot determine the guest kernel version (is linux-image-amd64 installed?)"
mapfile -t MISSING < <(missing_pkgs "linux-headers-$KVER" "linux-image-$KVER")
[ ${#MISSING[@]} = 0 ] || apt_install "${MISSING[@]}"
[ -f "/boot/vmlinuz-$KVER" ] || die "/boot/vmlinuz-$KVER missing"
[ -d "/lib/modules/$KVER/build" ] || die "/lib/modules/$KVER/build missing (linux-headers-$KVER)"
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
[ -f "$SRC_TAR" ] || die "$SRC_TAR missing (linux-source-6.1)"
step "packages ok, guest kernel $KVER"

# ---------------------------------------------------------------- cache + lock
C=$KIZUNA_VM_CACHE/$KVER
mkdir -p "$C" "$KIZUNA_VM_CACHE/bin" || die "cannot create cache dir $C"
exec 9>"$KIZUNA_VM_CACHE/.lock"
flock 9 || die "cannot lock $KIZUNA_VM_CACHE/.lock"
if [ "$FORCE" = 1 ]; then
	rm -f "$C/vmlinux" "$C/gpio-sim.ko" "$C/gpio-sim.key" "$C/initramfs.cpio.gz" "$C/initramfs.key" \
		"$KIZUNA_VM_CACHE/bin/latency" "$KIZUNA_VM_CACHE/bin/latency.key"
	rm -rf "$C/src"
fi

# gpio-sim build stamp: recipe revision + exact headers and source package versions
pkgver() { dpkg-query -W -f='${Version}' "$1"; }
GPIOSIM_KEY="recipe=1 headers=$(pkgver "linux-headers-$KVER") source=$(pkgver linux-source-6.1)"

# ---------------------------------------------------------------- sources from linux-source-6.1
# One pass over the (~140 MB) tarball for the four files we need; kept in the cache.
SRC_FILES=(scripts/extract-vmlinux drivers/gpio/gpio-sim.c drivers/gpio/gpiolib.h kernel/irq/irq_sim.c)
need_src=0
[ -s "$C/vmlinux" ] || need_src=1
[ -s "$C/gpio-sim.ko" ] && [ "$(cat "$C/gpio-sim.key" 2>/dev/null)" = "$GPIOSIM_KEY" ] || need_src=1
if [ "$need_src" = 1 ] && { [ ! -s "$C/src/kernel/irq/irq_sim.c" ] || [ "$(cat "$C/src/.version" 2>/dev/null)" != "$(pkgver linux-source-6.1)" ]; }; then
	step "extracting ${SRC_FILES[*]} from $SRC_TAR"
	rm -rf "$C/src.tmp"; mkdir -p "$C/src.tmp"
	tar -xJf "$SRC_TAR" -C "$C/src.tmp" --strip-components=1 "${SRC_FILES[@]/#/linux-source-6.1/}" ||
		die "extracting from $SRC_TAR failed"
	pkgver linux-source-6.1 > "$C/src.tmp/.version"
	rm -rf "$C/src"; mv "$C/src.tmp" "$C/src"
fi

# ---------------------------------------------------------------- 2. vmlinux
if [ ! -s "$C/vmlinux" ]; then
	step "extracting uncompressed vmlinux from /boot/vmlinuz-$KVER"
	sh "$C/src/scripts/extract-vmlinux" "/boot/vmlinuz-$KVER" > "$C/vmlinux.tmp" ||
		die "extract-vmlinux failed for /boot/vmlinuz-$KVER"
	readelf -n "$C/vmlinux.tmp" | grep -q 'Xen.*0x00000012' ||
		note "warning: no XEN_ELFNOTE_PHYS32_ENTRY in vmlinux - qemu may refuse PVH boot"
	mv "$C/vmlinux.tmp" "$C/vmlinux"
fi

# ---------------------------------------------------------------- 3. gpio-sim.ko (out of tree)
# Linux 6.1's drivers/gpio/gpio-sim.c builds unchanged as a module. It needs the irq_sim
# helper (kernel/irq/irq_sim.c, CONFIG_IRQ_SIM, normally built in and "select"ed by
# GPIO_SIM, so absent from Debian's kernel): we link it into the same module. Two edits:
#  - drop its EXPORT_SYMBOL_GPLs (used only inside this module);
#  - irq_to_desc() is not exported to modules: handle_simple_irq(irq_to_desc(n)) becomes
#    generic_handle_irq(n), which looks the descriptor up and calls the same flow handler.
if [ -s "$C/gpio-sim.ko" ] && [ "$(cat "$C/gpio-sim.key" 2>/dev/null)" = "$GPIOSIM_KEY" ]; then
	:
else
	step "building gpio-sim.ko for $KVER"
	B=$C/gpio-sim-build
	rm -rf "$B"; mkdir -p "$B"
	cp "$C/src/drivers/gpio/gpio-sim.c" "$B/gpio-sim-main.c"   # module is gpio-sim.ko: the .c needs another name
	cp "$C/src/drivers/gpio/gpiolib.h" "$B/"
	sed -e 's/^EXPORT_SYMBOL_GPL(.*);$//' \
	    -e 's|handle_simple_irq(irq_to_desc(irqnum));|generic_handle_irq(irqnum); /* kizuna OOT: irq_to_desc() is not exported */|' \
	    "$C/src/kernel/irq/irq_sim.c" > "$B/irq_sim.c"
	grep -q 'generic_handle_irq(irqnum); /\* kizuna OOT' "$B/irq_sim.c" ||
		die "irq_sim.c patch did not apply (linux-source-6.1 changed?); see $B/irq_sim.c"
	cat > "$B/Kbuild" <<-'KBUILD'
	obj-m := gpio-sim.o
	gpio-sim-y := gpio-sim-main.o irq_sim.o
	KBUILD
	make -C "/lib/modules/$KVER/build" M="$B" modules > "$B/build.log" 2>&1 ||
		{ cat "$B/build.log" >&2; die "gpio-sim.ko build failed (log: $B/build.log)"; }
	if grep -q 'undefined!' "$B/build.log"; then
		cat "$B/build.log" >&2; die "gpio-sim.ko has undefined symbols (log: $B/build.log)"
	fi
	vm=$(modinfo -F vermagic "$B/gpio-sim.ko")
	case $vm in "$KVER "*) ;; *) die "gpio-sim.ko vermagic '$vm' does not match $KVER" ;; esac
	strip --strip-debug -o "$C/gpio-sim.ko.tmp" "$B/gpio-sim.ko"
	mv "$C/gpio-sim.ko.tmp" "$C/gpio-sim.ko"
	echo "$GPIOSIM_KEY" > "$C/gpio-sim.key"
fi

# ---------------------------------------------------------------- 4. initramfs
# busybox, the modules to reach the host's root over virtio-9p, gpio-sim.ko, i2c-stub and
# i2c-dev; everything else (gpiod tools, i2c-tools, the program under test) runs from the
# host root. Rebuilt when initramfs-init, gpio-sim.ko or INITRAMFS_RECIPE change.
if [ "$(cat "$C/initramfs.key" 2>/dev/null)" != "$(vm_initramfs_key "$KVER")" ] || [ ! -s "$C/initramfs.cpio.gz" ]; then
	step "building initramfs"
	R=$(mktemp -d "$C/initramfs-root.XXXXXX")
	trap 'rm -rf "$R"' EXIT
	mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/mnt" "$R/lib/modules/$KVER"
	cp /bin/busybox "$R/bin/busybox"
	ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is dynamically linked (need busybox-static)"
	# modprobe --show-depends prints "insmod /path.ko [params]" in load order, "builtin x" for
	# built-ins. load-order: needed to reach the 9p root; load-order.late: loaded by init once
	# the job's settings (i2c-stub chip_addr) are known. Loading from the initramfs is ~0.5 s
	# faster than the host's modprobe over 9p.
	add_mods() {   # LIST MODULE...
		local list=$R/lib/modules/$KVER/$1 m kind path rel dst; shift
		touch "$R/lib/modules/$KVER/load-order" "$R/lib/modules/$KVER/load-order.late"
		for m in "$@"; do
			modprobe -S "$KVER" --show-depends "$m" > "$R/deps" || die "module $m not found for $KVER"
			while read -r kind path _; do
				[ "$kind" = insmod ] || continue
				rel=${path#/lib/modules/"$KVER"/}
				dst=${rel%.xz}; dst=${dst%.gz}; dst=${dst%.zst}      # busybox insmod wants a plain .ko
				grep -qx "$dst" "$R/lib/modules/$KVER/load-order" "$R/lib/modules/$KVER/load-order.late" && continue
				mkdir -p "$(dirname "$R/lib/modules/$KVER/$dst")"
				case $path in
					*.ko.xz)  xz -dc "$path"    > "$R/lib/modules/$KVER/$dst" ;;
					*.ko.gz)  gzip -dc "$path"  > "$R/lib/modules/$KVER/$dst" ;;
					*.ko.zst) zstd -dcq "$path" > "$R/lib/modules/$KVER/$dst" ;;
					*)        cp "$path" "$R/lib/modules/$KVER/$dst" ;;
				esac
				echo "$dst" >> "$list"
			done < "$R/deps"
		done
		rm -f "$R/deps"
	}
	add_mods load-order virtio_pci 9pnet_virtio 9p overlay configfs
	add_mods load-order.late i2c-stub i2c-dev
	mkdir -p "$R/lib/modules/$KVER/extra"
	cp "$C/gpio-sim.ko" "$R/lib/modules/$KVER/extra/gpio-sim.ko"
	echo extra/gpio-sim.ko >> "$R/lib/modules/$KVER/load-order"
	grep -q i2c-stub "$R/lib/modules/$KVER/load-order.late" || die "i2c-stub missing from load-order.late"
	install -m 755 "$KIZUNA_VM_DIR/initramfs-init" "$R/init"
	(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$C/initramfs.cpio.gz.tmp"
	mv "$C/initramfs.cpio.gz.tmp" "$C/initramfs.cpio.gz"
	vm_initramfs_key "$KVER" > "$C/initramfs.key"
	note "initramfs modules: $(cat "$R/lib/modules/$KVER/load-order" "$R/lib/modules/$KVER/load-order.late" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- 5. latency reference program
LAT=$KIZUNA_VM_CACHE/bin/latency
LAT_KEY=$(sha256sum "$KIZUNA_VM_DIR/latency.c" | cut -c1-16)
if [ ! -x "$LAT" ] || [ "$(cat "$LAT.key" 2>/dev/null)" != "$LAT_KEY" ]; then
	step "building $LAT"
	gcc -O2 -Wall -Wextra -o "$LAT.tmp" "$KIZUNA_VM_DIR/latency.c" -lgpiod || die "building latency.c failed"
	mv "$LAT.tmp" "$LAT"; echo "$LAT_KEY" > "$LAT.key"
fi

vm_cache_ready "$KVER" || die "cache for $KVER still incomplete after prepare (bug)"
step "ready: kernel $KVER, cache $C"
