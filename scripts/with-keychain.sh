#!/bin/sh
# Usage: scripts/with-keychain.sh CMD [ARG...]
#
# Runs CMD where a Secret Service (org.freedesktop.secrets) answers on the D-Bus session bus, so the
# keychain tests exercise a real one:
#   - the session already has one: CMD runs as is (set SOEMAIL_KEYCHAIN_THROWAWAY=1 to get a throwaway
#     one anyway and keep test items out of your own keyring);
#   - else, with dbus-run-session and gnome-keyring-daemon: CMD runs in a private session bus with a
#     throwaway gnome-keyring unlocked with a dummy password, under fresh HOME and XDG directories so
#     no real keyring or config is read or written; everything is removed afterwards;
#   - else: a notice on stderr and CMD runs anyway (keychain tests then skip, or fail when
#     SOEMAIL_REQUIRE_KEYCHAIN=1).
# The exit status is CMD's.
set -u

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

# Shell-level check: is org.freedesktop.secrets owned on the current session bus?
secrets_owned() {
  # Without an address, dbus-send would try X11 autolaunch, which may start a stray bus.
  if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && ! [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ]; then
    return 1
  fi
  if command -v dbus-send >/dev/null 2>&1; then
    dbus-send --session --print-reply=literal --reply-timeout=2000 --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -qw true
  elif command -v secret-tool >/dev/null 2>&1; then
    # A lookup of a missing item prints nothing; without a Secret Service it prints an error.
    out=$(timeout 5 secret-tool lookup soemail-with-keychain probe 2>&1 </dev/null)
    [ $? -le 1 ] && [ -z "$out" ]
  else
    return 1
  fi
}

# Inside the private session bus (see the end of this file): start the keyring, wait, run CMD.
if [ "${_SOEMAIL_WITH_KEYCHAIN_INNER:-}" = 1 ]; then
  unset _SOEMAIL_WITH_KEYCHAIN_INNER
  # --unlock reads the password of the (new) login keyring from stdin; it prints its environment.
  printf %s pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  i=0
  until secrets_owned; do
    i=$((i + 1))
    if [ "$i" -ge 100 ]; then
      echo "with-keychain: gnome-keyring-daemon did not take org.freedesktop.secrets within 10 s; running without a Secret Service" >&2
      break
    fi
    sleep 0.1
  done
  pid=
  if command -v dbus-send >/dev/null 2>&1; then
    owner=$(dbus-send --session --print-reply=literal --reply-timeout=2000 --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets 2>/dev/null | tr -d ' ')
    [ -n "$owner" ] && pid=$(dbus-send --session --print-reply=literal --reply-timeout=2000 --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID "string:$owner" 2>/dev/null | awk '{print $2}')
  fi
  "$@"
  rc=$?
  # The daemon leaves when the bus goes away; stop it first anyway so nothing outlives the run.
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  exit "$rc"
fi

if [ "${SOEMAIL_KEYCHAIN_THROWAWAY:-}" != 1 ] && secrets_owned; then
  exec "$@"
fi

if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "with-keychain: no Secret Service on the session bus, and dbus-run-session or gnome-keyring-daemon is missing;" \
    "running without one (install dbus gnome-keyring libsecret-tools to test the keychain)" >&2
  exec "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/soemail-keychain.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime" || exit 1
# gnome-keyring puts its control socket in XDG_RUNTIME_DIR and insists on a private (0700) directory.
chmod 700 "$tmp" "$tmp/runtime"

# Keep npm's cache where it was, so `npx` under the fresh HOME neither downloads nor litters.
export npm_config_cache="${npm_config_cache:-${HOME:-/tmp}/.npm}"
# Set before dbus-run-session: services the bus activates inherit the bus daemon's environment.
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

# dbus-daemon may warn "Failed to set fd limit" in containers; that is harmless.
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
_SOEMAIL_WITH_KEYCHAIN_INNER=1 dbus-run-session -- sh "$self" "$@"
