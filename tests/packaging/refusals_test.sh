#!/usr/bin/env bash
# Bad configuration of an installed zhaoyin-host fails once, with one clear
# line and an exit code the unit does not restart on (RestartPreventExitStatus),
# never a crash loop: a missing conffile (and dpkg's documented way to get it
# back), an unreadable configuration, a store folder the service user may not
# write, the port taken by another process.
#
#   refusals_test.sh SOURCE_DIR PACKAGES_DIR
source "$(dirname "$0")/fresh_root.sh"
enter_namespace "$@"

OTHER_PID=""
cleanup() {
  stop_host || true
  if [[ -n "$OTHER_PID" ]]; then kill -TERM "$OTHER_PID" 2>/dev/null || true; wait "$OTHER_PID" || true; fi
}
trap cleanup EXIT

make_root
install_debs '/tmp/debs/zhaoyin-host_*.deb /tmp/debs/zhaoyin-tools_*.deb /tmp/debs/zhaoyin-plugins_*.deb'
trial_configuration
conf="$R/etc/zhaoyin/zhaoyin.properties"
no_restart=" $(no_restart_codes) "

# refused NAME EXPECTED-TEXT: the host, run as the unit runs it, exits with a
# code the unit does not restart on, and its error line contains the text.
refused() {
  local log="$R/tmp/$1.log" rc
  rc=$(run_host_once "$log")
  note "$1: exit $rc: $(grep '"level":"error"' "$log" | head -1)"
  [[ "$rc" != 0 ]] || { cat "$log"; fail "$1: the host started"; }
  [[ "$no_restart" == *" $rc "* ]] || { cat "$log"; fail "$1: exit $rc would be restarted (RestartPreventExitStatus=$no_restart)"; }
  grep '"level":"error"' "$log" | grep -q -F "$2" || { cat "$log"; fail "$1: no error line with '$2'"; }
}

note "missing conffile"
mv "$conf" "$conf.away"
refused missing-conffile "cannot read the configuration file /etc/zhaoyin/zhaoyin.properties: File not found"
# Policy §10.7.3: dpkg does not bring back a conffile the administrator deleted,
# unless asked to (docs/DEPLOY.md).
in_root sh -c 'dpkg -i --force-confmiss /tmp/debs/zhaoyin-host_*.deb' >/dev/null
[[ -f "$conf" ]] || fail "--force-confmiss did not restore the conffile"
mv "$conf.away" "$conf"  # the trial settings again

note "configuration the service user may not read"
chmod 0600 "$conf"
refused unreadable-config "cannot read the configuration file /etc/zhaoyin/zhaoyin.properties: Access to file denied"
chmod 0644 "$conf"

note "port taken"
log="$R/tmp/first.log"
start_host "$log"
url=$(wait_ready "$log") || { cat "$log"; fail "the first host did not start"; }
OTHER_PID=$HOST_PID
HOST_PID=""
set_property http.port "${url##*:}"
refused port-taken "Address already in use: 127.0.0.1:${url##*:}"
kill -TERM "$OTHER_PID"; wait "$OTHER_PID" || fail "the first host did not stop cleanly"
OTHER_PID=""
set_property http.port 0

note "a store folder the service user may not write"
chown -R root:root "$R/var/lib/zhaoyin/data"
refused store-not-writable "/var/lib/zhaoyin/data is not readable and writable by this user"
chown -R --reference="$R/var/lib/zhaoyin" "$R/var/lib/zhaoyin/data"

note "and with everything put right it starts again"
log="$R/tmp/again.log"
start_host "$log"
wait_ready "$log" >/dev/null || { cat "$log"; fail "the host did not start after the repairs"; }
stop_host
note "ok"
