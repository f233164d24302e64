#!/usr/bin/env bash
# The Debian packages on a fresh root: dpkg -i all four; the account, state
# folder, conffiles and unit are there; systemd-analyze verify passes on the
# installed unit; the host started from the packaged files as the zhaoyin user
# (what zhaoyin.service runs) serves a QR login that the packaged wallet
# simulator approves; SIGHUP (systemctl reload) re-reads plugins and scripts;
# purge leaves nothing behind, and keeps the state when the operator asked.
#
#   install_test.sh SOURCE_DIR PACKAGES_DIR
source "$(dirname "$0")/fresh_root.sh"
enter_namespace "$@"

cleanup() { stop_host || true; }
trap cleanup EXIT

make_root
LOG_DIR="$R/tmp"  # a tmpfs: not part of the upper layer checked after the purge
install_debs

note "what the packages set up"
passwd_line=$(in_root getent passwd zhaoyin) || fail "no zhaoyin account after installation"
IFS=: read -r _ _ uid gid _ home shell <<<"$passwd_line"
((uid < 1000)) || fail "zhaoyin is not a system account (uid $uid)"
[[ "$home" == /var/lib/zhaoyin && "$shell" == /usr/sbin/nologin ]] || fail "zhaoyin account: $passwd_line"
zhaoyin_gid=$(in_root getent group zhaoyin | cut -d: -f3)
[[ "$gid" == "$zhaoyin_gid" ]] || fail "the zhaoyin account's group is not zhaoyin"
# (numeric: outside the root, names resolve with this system's accounts)
[[ "$(stat -c '%u:%g %a' "$R/var/lib/zhaoyin")" == "$uid:$gid 750" ]] ||
  fail "/var/lib/zhaoyin is $(stat -c '%u:%g %a' "$R/var/lib/zhaoyin") (zhaoyin is $uid:$gid)"
conffiles=$(in_root dpkg-query -W -f='${Conffiles}\n' zhaoyin-host zhaoyin-plugins)
for f in /etc/zhaoyin/zhaoyin.properties /etc/zhaoyin/scripts/tax/etax_hall.lua; do
  grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile"
done
[[ -L "$R/etc/systemd/system/multi-user.target.wants/zhaoyin.service" ]] || fail "the unit was not enabled"
ls "$R"/usr/lib/zhaoyin/plugins/{tax,social_insurance,real_estate,banking}.so >/dev/null

note "systemd-analyze verify zhaoyin.service (in the installed root)"
systemd-analyze verify --root="$R" /lib/systemd/system/zhaoyin.service

trial_configuration
note "the packaged host, started as zhaoyin.service starts it"
log="$LOG_DIR/host.log"
start_host "$log"
url=$(wait_ready "$log") || { cat "$log"; fail "the packaged host did not start"; }
note "ready at $url"
[[ "$url" == http://127.0.0.1:* ]] || fail "not on loopback: $url"
[[ "$(stat -c %u "/proc/$HOST_PID")" == "$uid" ]] || fail "the host does not run as zhaoyin"
grep -q '"msg":"plugins loaded".*"failed":0' "$log" || { cat "$log"; fail "the packaged plugins were not loaded"; }
[[ -f "$R/var/lib/zhaoyin/data/zhaoyin.db" ]] || fail "the store is not in /var/lib/zhaoyin/data"

note "a QR login through the packaged host, approved by the packaged wallet simulator"
sandbox_json="$R/var/lib/zhaoyin/sandbox/sandbox.json"
client_id=$(jq -r '.applications[] | select(.department=="tax") | .client_id' "$sandbox_json")
client_secret=$(jq -r '.applications[] | select(.department=="tax") | .client_secret' "$sandbox_json")
wallet=$(jq -r '.wallets[] | select(.holder=="张志伟") | .path' "$sandbox_json")
password=$(jq -r '.wallets[] | select(.holder=="张志伟") | .password' "$sandbox_json")
token=$(curl -sf -u "$client_id:$client_secret" -d grant_type=client_credentials "$url/oauth/token" | jq -r .access_token)
[[ -n "$token" && "$token" != null ]] || fail "no access token"
session=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
  "$url/api/v1/login-sessions")
id=$(jq -r .id <<<"$session")
qr_text=$(jq -r .qr_text <<<"$session")
[[ "$qr_text" == "$url"/* ]] || fail "unexpected QR text $qr_text"
scan=$(in_root zhaoyin-wallet --wallet "/var/lib/zhaoyin/sandbox/$wallet" --password "$password" \
  scan "$qr_text" --approve 2>&1) || { echo "$scan"; fail "the wallet's scan --approve failed"; }
status=$(curl -sf -H "Authorization: Bearer $token" "$url/api/v1/login-sessions/$id")
[[ "$(jq -r .status <<<"$status")" == confirmed ]] || fail "the login is not confirmed: $status"
[[ "$(jq -r .subject.holder.name <<<"$status")" == 张志伟 ]] || fail "wrong holder: $status"

note "reload (SIGHUP, the unit's ExecReload) re-reads plugins and scripts"
[[ "$(unit_value ExecReload)" == '/bin/kill -HUP $MAINPID' ]] || fail "ExecReload is $(unit_value ExecReload)"
echo "-- edited by the packaging test" >>"$R/etc/zhaoyin/scripts/tax/etax_hall.lua"
kill -HUP "$HOST_PID"
until grep -q '"msg":"scripts reloaded (SIGHUP)"' "$log"; do
  kill -0 "$HOST_PID" 2>/dev/null || { cat "$log"; fail "the host died on SIGHUP"; }
  sleep 0.2
done
grep -q '"msg":"plugins reloaded (SIGHUP)".*"failed":\[\].*"loaded":5' "$log" || { cat "$log"; fail "plugins not reloaded"; }
grep -q '"msg":"scripts reloaded (SIGHUP)".*"with_errors":0' "$log" || { cat "$log"; fail "scripts reloaded with errors"; }
curl -sf "$url/healthz" >/dev/null || fail "the host does not answer after the reload"

note "stop (SIGTERM) ends it cleanly"
rc=0; stop_host || rc=$?
((rc == 0)) || { cat "$log"; fail "the host exited with $rc on SIGTERM"; }
grep -q '"msg":"stopped"' "$log" || fail "no clean stop"

note "purge leaves nothing behind"
in_root dpkg --purge zhaoyin-sdk-dev zhaoyin-plugins zhaoyin-tools zhaoyin-host >/dev/null
for f in passwd group shadow gshadow; do
  if grep -q '^zhaoyin:' "$R/etc/$f"; then fail "zhaoyin is still in /etc/$f"; fi
done
# What the upper layer still holds with our name in it, except dpkg's own
# records of what it did (its log, and the status backup it writes before
# each change), the backups of the account files that deluser writes
# (/etc/passwd- etc., the system's previous version by design) and man-db's
# index (/var/cache/man, a cache its trigger rebuilt; freed pages may still
# hold the names of the removed manual pages).
left=$(cd "$UPPER" && find . -path '*zhaoyin*' -print | grep -v -E '^\./var/log/dpkg\.log$' || true)
left+=$(cd "$UPPER" && grep -l -r zhaoyin . 2>/dev/null |
  grep -v -E '^\./var/(log/dpkg\.log|lib/dpkg/(status-old|available|diversions|statoverride)(-old)?)$|^\./etc/(passwd|group|shadow|gshadow)-$|^\./var/cache/man/' || true)
[[ -z "$left" ]] || fail "left behind after purge: $left"

note "purge keeps the state when /var/lib/zhaoyin/keep-on-purge exists"
install_debs '/tmp/debs/zhaoyin-host_*.deb'
echo kept >"$R/var/lib/zhaoyin/precious"
touch "$R/var/lib/zhaoyin/keep-on-purge"
in_root dpkg --purge zhaoyin-host >/dev/null
[[ -f "$R/var/lib/zhaoyin/precious" ]] || fail "the state was removed despite keep-on-purge"
in_root getent passwd zhaoyin >/dev/null || fail "the account that owns the kept state was removed"
[[ ! -e "$R/etc/zhaoyin/zhaoyin.properties" ]] || fail "the conffile survived the purge"
note "ok"
