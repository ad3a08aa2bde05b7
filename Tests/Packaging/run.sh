#!/usr/bin/env bash
# Tests/Packaging/run.sh - checks the systemd units, the udev rules and the Debian package.
#
# usage: Tests/Packaging/run.sh [BINARY]      (default .build/release/kizuna)
#
# BINARY should be a release build with the Swift runtime linked in, the one a package
# ships:   swift build -c release --static-swift-stdlib
# Given a plain (dynamically linked) build, the package check fails with the list of
# toolchain libraries at fault, and the remaining checks go on with a package that
# bundles them (.ci/build-deb --bundle-swift-runtime), so they still say something.
#
# What it does, as root (installs systemd, lintian, dpkg-dev, binutils, patchelf and
# debootstrap with apt-get when they are missing):
#   units     systemd-analyze verify in a throw-away root holding the binary, and
#             systemd-analyze security --offline: exposure 2.0 or lower
#   udev      the rules applied by udevadm test to real gpiochip and i2c-dev devices, in the
#             Tests/VM qemu guest (gpio-sim, i2c-stub); skipped without qemu
#   package   .ci/build-deb, its contents, lintian (no E: line)
#   systemd   the .deb installed in the qemu guest, systemd started there (PID 1 of a PID
#             namespace), kizuna.service run with all its sandboxing on a gpio-sim chip:
#             retries while the chip is missing, GPIO round trip, user, groups,
#             seccomp, capabilities, restart after a crash, clean stop; skipped without qemu
#   install   dpkg --root into an empty root, scripts run outside it (DPKG_ROOT): files,
#             user, groups, modes, enablement, check-config of the installed config with
#             the installed binary and boards; remove keeps the data, purge removes it
#   debian    apt-get install of the .deb into a minimal Debian (debootstrap, cached in
#             $KIZUNA_PKG_CACHE, default /var/cache/kizuna-packaging): dependencies
#             resolve, the binary runs inside; skipped if the mirror cannot be reached
# Environment: KIZUNA_PKG_SKIP="vm debian" skips those parts; KIZUNA_PKG_KEEP=1 keeps the
# work directory.
# Last line: "packaging: N passed, M failed[, K skipped]"; exit status 1 if any failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${1:-$REPO/.build/release/kizuna}
CACHE=${KIZUNA_PKG_CACHE:-/var/cache/kizuna-packaging}
SKIP=" ${KIZUNA_PKG_SKIP:-} "
T0=$(date +%s)

passed=0 failed=0 skipped=0
W=$(mktemp -d /var/tmp/kizuna-packaging.XXXXXX)
MOUNTS=()
cleanup() {
    local m
    for m in "${MOUNTS[@]}"; do mountpoint -q "$m" && umount -l "$m"; done
    if [ "${KIZUNA_PKG_KEEP:-0}" = 1 ]; then echo "work directory kept: $W"; else rm -rf --one-file-system "$W"; fi
}
trap cleanup EXIT

say() { echo "--- $*"; }
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -z "${2:-}" ] || sed 's/^/    /' <<<"$2"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }
# check DESC CMD...: passes when CMD exits 0; its output is shown on failure
check() {
    local desc=$1 out; shift
    if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}
# quiet DESC CMD...: passes when CMD exits 0 and prints nothing
quiet() {
    local desc=$1 out; shift
    out=$("$@" 2>&1)
    local rc=$?
    if [ $rc -eq 0 ] && [ -z "$out" ]; then pass "$desc"; else fail "$desc (exit status $rc)" "$out"; fi
}

[ "$(id -u)" = 0 ] || { echo "Tests/Packaging/run.sh: run as root (chroot, dpkg --root, mounts)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "Tests/Packaging/run.sh: no binary at $BIN; build one: swift build -c release --static-swift-stdlib" >&2; exit 2; }
# A copy: the build tree may change under us while the tests run.
install -m 0755 "$BIN" "$W/kizuna"
BIN=$W/kizuna

# ---- tools
need=()
for pair in systemd-analyze:systemd lintian:lintian dpkg-shlibdeps:dpkg-dev readelf:binutils \
    patchelf:patchelf debootstrap:debootstrap; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
        { echo "Tests/Packaging/run.sh: apt-get install ${need[*]} failed" >&2; exit 2; }
fi

# ============================================================ units
say "systemd units ($(systemd-analyze --version | head -n 1))"
# A root holding systemd's own units (sysinit.target & co.), ours, and the binary at the
# path ExecStart= names: verify checks that it exists and is executable.
U=$W/units-root
mkdir -p "$U/lib/systemd/system" "$U/usr/bin" "$U/etc"
cp -a /lib/systemd/system/. "$U/lib/systemd/system/"
install -m 0644 "$REPO/systemd/kizuna.service" "$REPO/systemd/kizuna-shell@.service" "$U/lib/systemd/system/"
install -m 0755 "$BIN" "$U/usr/bin/kizuna"
units=(kizuna.service kizuna-shell@serial0.service kizuna-shell@ttyUSB0.service 'kizuna-shell@kizuna\x2dconsole.service')
for u in "${units[@]}"; do
    quiet "systemd-analyze verify $u" systemd-analyze verify --root="$U" "$u"
done
mv "$U/usr/bin/kizuna" "$U/usr/bin/kizuna.away"
if systemd-analyze verify --root="$U" kizuna.service >/dev/null 2>&1; then
    fail "systemd-analyze verify notices a missing /usr/bin/kizuna (else the checks above prove nothing)"
else
    pass "systemd-analyze verify notices a missing /usr/bin/kizuna"
fi
mv "$U/usr/bin/kizuna.away" "$U/usr/bin/kizuna"

exposure() {   # UNIT -> the overall exposure number
    (cd "$U/lib/systemd/system" && systemd-analyze security --offline=true --no-pager "./$1" 2>&1) |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
for u in kizuna.service 'kizuna-shell@serial0.service'; do
    [ -e "$U/lib/systemd/system/$u" ] || ln -s 'kizuna-shell@.service' "$U/lib/systemd/system/$u"
    e=$(exposure "$u")
    if [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 2.0) }'; then
        pass "security exposure of $u: $e (at most 2.0)"
    else
        fail "security exposure of $u: ${e:-unknown} (at most 2.0)" \
            "$(cd "$U/lib/systemd/system" && systemd-analyze security --offline=true --no-pager "./$u" 2>&1 | grep '✗')"
    fi
done

# What the runtime relies on, so that a later edit cannot drop it unnoticed.
S=$REPO/systemd/kizuna.service
for line in Type=notify NotifyAccess=main WatchdogSec=30 Restart=always StartLimitIntervalSec=0 \
    User=kizuna StateDirectory=kizuna RuntimeDirectory=kizuna RuntimeDirectoryMode=0750 \
    ConfigurationDirectory=kizuna DevicePolicy=closed 'DeviceAllow=char-gpiochip rw' \
    'DeviceAllow=char-i2c rw' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
    'ExecStartPre=/usr/bin/kizuna check-config /etc/kizuna/kizuna.yaml'; do
    check "kizuna.service has $line" grep -qxF "$line" "$S"
done
check "kizuna-shell@.service runs kizuna shell on /dev/%I" \
    grep -qxF 'ExecStart=/usr/bin/kizuna shell --tty /dev/%I --baud 115200' "$REPO/systemd/kizuna-shell@.service"

# ============================================================ example config
say "example config"
check "boards/kizuna.example.yaml passes check-config" \
    "$BIN" check-config "$REPO/boards/kizuna.example.yaml" --boards "$REPO/boards"

# ============================================================ udev, in the qemu guest
say "udev rules"
if [[ $SKIP == *" vm "* ]]; then
    skip "udev rules on gpio-sim and i2c-stub devices (KIZUNA_PKG_SKIP has vm)"
elif ! command -v qemu-system-x86_64 >/dev/null 2>&1 || [ "$(uname -m)" != x86_64 ]; then
    skip "udev rules on gpio-sim and i2c-stub devices (no qemu-system-x86_64; Tests/VM/prepare.sh installs it)"
else
    out=$(KIZUNA_VM_TIMEOUT=120 "$REPO/Tests/VM/run.sh" "$HERE/udev-guest.sh" "$REPO/udev/60-kizuna.rules" 2>&1)
    rc=$?
    while read -r l; do
        case $l in
            PASS:*) pass "udev: ${l#PASS: }" ;;
            FAIL:*) fail "udev: ${l#FAIL: }" ;;
        esac
    done <<<"$out"
    grep -q '^FAIL:' <<<"$out" || [ $rc -eq 0 ] || fail "udev guest run (exit status $rc)" "$(tail -n 20 <<<"$out")"
fi

# ============================================================ package
say "package"
DEBDIR=$W/out
t=$(date +%s)
if out=$("$REPO/.ci/build-deb" --out "$DEBDIR" "$BIN" 2>&1); then
    pass "build-deb: the binary is self-contained; built in $(( $(date +%s) - t )) s"
    BUNDLED=0
else
    rc=$?
    fail "build-deb: the binary is not self-contained (exit status $rc)" "$out"
    if [ $rc -eq 3 ]; then
        echo "    going on with --bundle-swift-runtime, so that the checks below still run"
        out=$("$REPO/.ci/build-deb" --out "$DEBDIR" --bundle-swift-runtime "$BIN" 2>&1) ||
            { fail "build-deb --bundle-swift-runtime" "$out"; }
        BUNDLED=1
    fi
fi
DEB=$(ls "$DEBDIR"/kizuna_*.deb 2>/dev/null | head -n 1)
if [ -z "$DEB" ]; then
    fail "no .deb was built: the package and install checks cannot run"
else
    echo "    $(basename "$DEB"): $(du -h "$DEB" | cut -f1)"
    X=$W/extract
    dpkg-deb -x "$DEB" "$X" && dpkg-deb -e "$DEB" "$X/DEBIAN"
    for f in usr/bin/kizuna usr/share/kizuna/boards/rpi-4b.yaml usr/share/kizuna/boards/sim.yaml \
        usr/share/kizuna/boards/sim/kizuna.yaml lib/systemd/system/kizuna.service \
        'lib/systemd/system/kizuna-shell@.service' usr/lib/sysusers.d/kizuna.conf \
        usr/lib/tmpfiles.d/kizuna.conf lib/udev/rules.d/60-kizuna.rules usr/share/doc/kizuna/copyright \
        usr/share/doc/kizuna/changelog.Debian.gz usr/share/doc/kizuna/examples/kizuna.yaml \
        etc/kizuna/kizuna.yaml; do
        check "package has /$f" test -f "$X/$f"
    done
    check "/etc/kizuna/kizuna.yaml is a conffile" grep -qx /etc/kizuna/kizuna.yaml "$X/DEBIAN/conffiles"
    check "the example config is not among the board profiles" test ! -e "$X/usr/share/kizuna/boards/kizuna.example.yaml"
    depends=$(dpkg-deb -f "$DEB" Depends)
    echo "    Depends: $depends"
    check "Depends has libgpiod2 and libc6" grep -q 'libgpiod2.*libc6\|libc6.*libgpiod2' <<<"$depends"
    runpath=$(readelf -d "$X/usr/bin/kizuna" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
    if [ "$BUNDLED" = 1 ]; then
        check "packaged binary looks in /usr/lib/kizuna only (RUNPATH '$runpath')" test "$runpath" = /usr/lib/kizuna
    else
        check "packaged binary has no RUNPATH ('$runpath')" test -z "$runpath"
    fi
    check "no /opt path in the packaged binary's dynamic section" bash -c "! readelf -d '$X/usr/bin/kizuna' | grep -q /opt/"

    t=$(date +%s)
    lint=$(lintian --fail-on none "$DEB" 2>&1 | grep -v 'running with root privileges')
    if grep -q '^E:' <<<"$lint"; then fail "lintian: no errors" "$lint"; else pass "lintian: no errors ($(( $(date +%s) - t )) s)"; fi
    [ -z "$lint" ] || sed 's/^/    /' <<<"$lint"

    # ======================================================== systemd, in the qemu guest
    say "kizuna.service under systemd, in the qemu guest"
    if [[ $SKIP == *" vm "* ]]; then
        skip "kizuna.service under systemd (KIZUNA_PKG_SKIP has vm)"
    elif ! command -v qemu-system-x86_64 >/dev/null 2>&1 || [ "$(uname -m)" != x86_64 ] || [ "$(dpkg-deb -f "$DEB" Architecture)" != amd64 ]; then
        skip "kizuna.service under systemd (no qemu-system-x86_64, or not an amd64 package)"
    else
        t=$(date +%s)
        mkdir -p "$W/vm-systemd"
        out=$(KIZUNA_VM_OUT=$W/vm-systemd KIZUNA_VM_TIMEOUT=240 "$REPO/Tests/VM/run.sh" "$HERE/systemd-guest.sh" "$DEB" 2>&1)
        rc=$?
        while read -r l; do
            case $l in
                PASS:*) pass "systemd: ${l#PASS: }" ;;
                FAIL:*) fail "systemd: ${l#FAIL: }" ;;
            esac
        done <<<"$out"
        if grep -q '^FAIL:' <<<"$out" || [ $rc -ne 0 ]; then
            [ $rc -eq 0 ] || fail "systemd guest run (exit status $rc)"
            sed 's/^/    /' <<<"$(grep -v '^PASS:' <<<"$out" | tail -n 40)"
        fi
        echo "    $(( $(date +%s) - t )) s"
    fi

    # ======================================================== install: dpkg --root
    say "install with dpkg --root (maintainer scripts outside the root, DPKG_ROOT)"
    R=$W/root
    mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
    : > "$R/var/lib/dpkg/status"
    DPKG=(dpkg --root="$R" --force-not-root --force-script-chrootless --force-depends --log=/dev/null)
    check "dpkg -i" "${DPKG[@]}" -i "$DEB"
    unit=$R/lib/systemd/system/kizuna.service
    for key in ExecStart ExecStartPre; do
        exe=$(sed -n "s/^$key=[-@!+:]*\([^ ]*\).*/\1/p" "$unit" | head -n 1)
        check "$key= program $exe is installed and executable" test -x "$R$exe"
    done
    exe=$(sed -n 's/^ExecStart=[-@!+:]*\([^ ]*\).*/\1/p' "$R/lib/systemd/system/kizuna-shell@.service")
    check "kizuna-shell@ ExecStart= program $exe is installed" test -x "$R$exe"
    check "boards directory has rpi-4b.yaml" test -f "$R/usr/share/kizuna/boards/rpi-4b.yaml"
    check "conffile /etc/kizuna/kizuna.yaml" test -f "$R/etc/kizuna/kizuna.yaml"
    check "udev rules in /lib/udev/rules.d" test -f "$R/lib/udev/rules.d/60-kizuna.rules"
    check "sysusers.d and tmpfiles.d files" test -f "$R/usr/lib/sysusers.d/kizuna.conf" -a -f "$R/usr/lib/tmpfiles.d/kizuna.conf"
    check "user kizuna, home /var/lib/kizuna, no login shell" \
        grep -qE '^kizuna:x:[0-9]+:[0-9]+:[^:]*:/var/lib/kizuna:/usr/sbin/nologin$' "$R/etc/passwd"
    for g in gpio i2c; do
        check "kizuna is in group $g" grep -qE "^$g:x:[0-9]+:(.*,)?kizuna(,|$)" "$R/etc/group"
    done
    check "kizuna is not in group dialout (only the shell unit adds it)" bash -c "! grep -qE '^dialout:.*kizuna' '$R/etc/group'"
    # mode, owner and group of a file in the root, named after the root's own user database
    modes() {
        local m u g
        read -r m u g < <(stat -c '%a %u %g' "$1") || return 1
        u=$(awk -F: -v id="$u" '$3 == id { print $1; exit }' "$R/etc/passwd"); [ "$u" ] || u=root
        g=$(awk -F: -v id="$g" '$3 == id { print $1; exit }' "$R/etc/group"); [ "$g" ] || g=root
        echo "$m $u $g"
    }
    check_modes() {
        local got; got=$(modes "$R$1")
        if [ "$got" = "$2" ]; then pass "$1 is $2"; else fail "$1 is $2" "got: $got"; fi
    }
    check_modes /var/lib/kizuna "750 kizuna kizuna"
    check_modes /etc/kizuna "770 root kizuna"
    check_modes /etc/kizuna/kizuna.yaml "660 root kizuna"
    check "kizuna.service enabled (multi-user.target.wants)" test -L "$R/etc/systemd/system/multi-user.target.wants/kizuna.service"

    libpath=
    [ "$BUNDLED" = 1 ] && libpath=$R/usr/lib/kizuna
    check "installed kizuna check-config on the installed config and boards" \
        env LD_LIBRARY_PATH="$libpath" "$R/usr/bin/kizuna" check-config "$R/etc/kizuna/kizuna.yaml" --boards "$R/usr/share/kizuna/boards"
    # verify again, on the installed files
    cp -an /lib/systemd/system/. "$R/lib/systemd/system/"
    for u in kizuna.service 'kizuna-shell@kizuna\x2dconsole.service'; do
        quiet "systemd-analyze verify of the installed $u" systemd-analyze verify --root="$R" "$u"
    done

    check "dpkg -r" "${DPKG[@]}" -r kizuna
    check "remove keeps /var/lib/kizuna and the config" test -d "$R/var/lib/kizuna" -a -f "$R/etc/kizuna/kizuna.yaml"
    check "remove takes the program" test ! -e "$R/usr/bin/kizuna"
    echo state > "$R/var/lib/kizuna/kizuna.sqlite"
    check "dpkg -P" "${DPKG[@]}" -P kizuna
    check "purge removes /var/lib/kizuna and /etc/kizuna" test ! -e "$R/var/lib/kizuna" -a ! -e "$R/etc/kizuna"
    check "purge removes the enable link" test ! -e "$R/etc/systemd/system/multi-user.target.wants/kizuna.service"

    # ======================================================== install: minimal Debian
    say "install into a minimal Debian (debootstrap, apt-get)"
    if [[ $SKIP == *" debian "* ]]; then
        skip "apt-get install into a minimal Debian (KIZUNA_PKG_SKIP has debian)"
    else
        arch=$(dpkg --print-architecture)
        suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
        tarball=$CACHE/$suite-minbase-$arch.tar
        # the mirror this machine's apt uses (deb822 or one-line sources)
        mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }')
        [ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }')
        if [ ! -f "$tarball" ]; then
            t=$(date +%s)
            mkdir -p "$CACHE" "$W/dbs"
            if debootstrap --variant=minbase "$suite" "$W/dbs" ${mirror:+"$mirror"} > "$W/debootstrap.log" 2>&1 &&
                tar -C "$W/dbs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"; then
                echo "    debootstrap --variant=minbase $suite: $(( $(date +%s) - t )) s (cached in $tarball)"
            else
                rm -f "$tarball.tmp"
                echo "    debootstrap failed: $(tail -n 3 "$W/debootstrap.log")"
            fi
            rm -rf --one-file-system "$W/dbs"
        fi
        if [ ! -f "$tarball" ]; then
            skip "apt-get install into a minimal Debian (no debootstrap root: is the mirror reachable?)"
        else
            D=$W/debian
            mkdir -p "$D" && tar -C "$D" -xf "$tarball"
            cp /etc/resolv.conf "$D/etc/resolv.conf" 2>/dev/null || true
            mount -t proc proc "$D/proc" && MOUNTS+=("$D/proc")
            cp "$DEB" "$D/tmp/"
            in_d() { chroot "$D" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
            apt_install() { in_d apt-get update -qq && in_d apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$DEB")"; }
            exits_69() { in_d "$@" >/dev/null 2>&1; [ $? = 69 ]; }
            groups_of_kizuna() { [ "$(in_d id -nG kizuna | tr ' ' '\n' | sort | xargs)" = "gpio i2c kizuna" ]; }
            t=$(date +%s)
            check "apt-get install ./$(basename "$DEB") resolves its dependencies from Debian" apt_install
            echo "    apt-get update + install: $(( $(date +%s) - t )) s"
            check "inside: kizuna check-config /etc/kizuna/kizuna.yaml (boards found in /usr/share/kizuna)" \
                in_d /usr/bin/kizuna check-config /etc/kizuna/kizuna.yaml
            check "inside: kizuna gpio-check says the board's chip is missing (exit status 69)" \
                exits_69 /usr/bin/kizuna gpio-check
            check "inside: user kizuna in groups gpio, i2c, kizuna" groups_of_kizuna
            check "inside: apt-get purge" in_d apt-get purge -y -qq kizuna
            check "inside: purge removed /var/lib/kizuna and /etc/kizuna" test ! -e "$D/var/lib/kizuna" -a ! -e "$D/etc/kizuna"
        fi
    fi
fi

echo "--- $(( $(date +%s) - T0 )) s"
echo "packaging: $passed passed, $failed failed$([ $skipped -eq 0 ] || echo ", $skipped skipped")"
[ $failed -eq 0 ]
