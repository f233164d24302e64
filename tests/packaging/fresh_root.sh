# Sourced by the packaging tests: a throw-away root to install the Debian
# packages into, and helpers to run the packaged host in it.
#
# The root is this machine's own operating system as the read-only lower layer
# of an overlay, with an empty tmpfs as the upper layer, in a private mount
# namespace: dpkg, adduser and the shared libraries the packages depend on are
# those of a Debian 12 system (no network, no debootstrap), nothing written
# reaches the real system, and the upper layer lists exactly what installing
# and purging left behind. The source and build trees, home folders and temp
# folders are hidden, so the host can only use what the packages installed.
#
# Usage, at the top of a test script:   source fresh_root.sh; enter_namespace "$@"
#   then: make_root; install_debs; ... (R is the root, UPPER its upper layer)
# Needs root (mounts, chroot); without it the test is skipped (exit 77).

set -euo pipefail

SKIP=77
SOURCE_DIR=""
PACKAGES_DIR=""

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "-- $*"; }

# Re-runs the calling script in a private mount namespace (every mount made
# there goes away with it), with a scratch folder the outer shell removes.
# Arguments: SOURCE_DIR PACKAGES_DIR.
enter_namespace() {
  SOURCE_DIR="$1"
  PACKAGES_DIR="$2"
  if [[ -n "${ZHAOYIN_DEB_SCRATCH:-}" ]]; then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then echo "SKIP: installing packages into a root needs root"; exit "$SKIP"; fi
  if ! unshare --mount --propagation private true 2>/dev/null; then
    echo "SKIP: cannot make a mount namespace here (unshare --mount)"; exit "$SKIP"
  fi
  ls "$PACKAGES_DIR"/zhaoyin-host_*.deb >/dev/null 2>&1 || fail "no packages in $PACKAGES_DIR (tools/package.sh)"
  local scratch rc=0
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/zhaoyin-deb.XXXXXX")
  ZHAOYIN_DEB_SCRATCH="$scratch" unshare --mount --propagation private bash "$0" "$@" || rc=$?
  rmdir "$scratch" 2>/dev/null || true
  exit "$rc"
}

R=""
UPPER=""
hide() {  # hide DIR [MODE]: an empty tmpfs over a folder of the root
  local dir="$R$1"
  [[ -d "$dir" ]] || return 0
  mount -t tmpfs -o "mode=${2:-0755}" zhaoyin-hidden "$dir"
}

make_root() {
  local scratch="$ZHAOYIN_DEB_SCRATCH"
  mount -t tmpfs -o mode=0755 zhaoyin-deb "$scratch"
  mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
  mount -t overlay zhaoyin-root -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
  R="$scratch/root"
  UPPER="$scratch/upper"
  mount --rbind /dev "$R/dev"
  mount -t proc proc "$R/proc"
  hide /run; hide /tmp 1777; hide /var/tmp 1777; hide /root 0700; hide /home
  local d
  for d in "$SOURCE_DIR" "$(cd "$PACKAGES_DIR/.." && pwd)"; do
    # The trees themselves, whatever folder they were cloned into.
    [[ "$d" == / ]] || hide "$d"
  done
  mkdir -p "$R/tmp/debs"
  cp "$PACKAGES_DIR"/*.deb "$R/tmp/debs/"
  # Fresh: no package, account, configuration or state of ours yet.
  if in_root dpkg-query -W 'zhaoyin*' >/dev/null 2>&1; then fail "this system already has zhaoyin packages"; fi
  if in_root getent passwd zhaoyin >/dev/null; then fail "this system already has a zhaoyin account"; fi
  [[ ! -e "$R/etc/zhaoyin" && ! -e "$R/var/lib/zhaoyin" ]] || fail "this system already has /etc/zhaoyin or /var/lib/zhaoyin"
}

# Runs a command in the root with a clean environment, as root.
in_root() {
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"
}

install_debs() {  # install_debs [PATTERN] (default: all four packages), a glob inside the root
  local pattern="${1:-/tmp/debs/*.deb}"
  note "dpkg -i $pattern"
  in_root sh -c "dpkg -i $pattern" >/dev/null
}

# What the unit runs, read from the installed unit file.
unit_value() { sed -n "s/^$1=//p" "$R/lib/systemd/system/zhaoyin.service" | tail -1; }

# Starts the packaged host the way zhaoyin.service does (its User, Group,
# WorkingDirectory, UMask, NoNewPrivileges and ExecStart), in the background,
# its log in $1. Sets HOST_PID.
HOST_PID=""
start_host() {
  local log="$1" user group wd umask exec_start
  user=$(unit_value User); group=$(unit_value Group); wd=$(unit_value WorkingDirectory)
  umask=$(unit_value UMask); exec_start=$(unit_value ExecStart)
  [[ -n "$user" && -n "$exec_start" && -n "$wd" ]] || fail "the unit lacks User=, WorkingDirectory= or ExecStart="
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME="$wd" /bin/sh -c \
    "cd '$wd' && umask ${umask:-0022} && exec setpriv --reuid='$user' --regid='$group' --init-groups --no-new-privs $exec_start" \
    2>"$log" &
  HOST_PID=$!
}

# Waits until the host logs "ready" (prints its URL) or exits (returns 1).
wait_ready() {
  local log="$1"
  until grep -q '"msg":"ready"' "$log"; do
    if ! kill -0 "$HOST_PID" 2>/dev/null; then return 1; fi
    sleep 0.2
  done
  grep '"msg":"ready"' "$log" | head -1 | sed -n 's/.*"url":"\([^"]*\)".*/\1/p'
}

# Runs the host in the foreground as the unit would; prints its exit code.
run_host_once() {
  local log="$1" rc=0
  start_host "$log"
  wait "$HOST_PID" || rc=$?
  HOST_PID=""
  echo "$rc"
}

stop_host() {
  local rc=0
  [[ -n "$HOST_PID" ]] || return 0
  kill -TERM "$HOST_PID" 2>/dev/null || true
  wait "$HOST_PID" || rc=$?
  HOST_PID=""
  return "$rc"
}

# The exit codes for which the unit does not restart the host.
no_restart_codes() { unit_value RestartPreventExitStatus; }

set_property() {  # set_property KEY VALUE in the installed configuration
  local file="$R/etc/zhaoyin/zhaoyin.properties"
  grep -q "^$1 *=" "$file" || fail "$1 is not set in $file"
  sed -i "s|^$1 *=.*|$1 = $2|" "$file"
}

# The sandbox authority, made by the packaged CLI as the service user, trusted
# by the packaged configuration; the host listens on a free loopback port.
trial_configuration() {
  note "zhaoyin sandbox init /var/lib/zhaoyin/sandbox (as zhaoyin)"
  in_root setpriv --reuid=zhaoyin --regid=zhaoyin --init-groups \
    zhaoyin sandbox init /var/lib/zhaoyin/sandbox >/dev/null
  set_property authority.sandbox_dir /var/lib/zhaoyin/sandbox
  set_property http.port 0
  set_property http.host 127.0.0.1
}
