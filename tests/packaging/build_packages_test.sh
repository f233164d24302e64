#!/usr/bin/env bash
# Builds the four .debs from the build tree (tools/package.sh: cpack, no
# compiling) and checks what each holds and depends on (dpkg-deb).
#
#   build_packages_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir="$1" build_dir="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$source_dir/tools/package.sh" --no-configure "$build_dir"
pkgs="$build_dir/packages"
deb() { ls "$pkgs"/"$1"_*.deb; }
for p in zhaoyin-host zhaoyin-tools zhaoyin-plugins zhaoyin-sdk-dev; do deb "$p" >/dev/null || fail "no $p package"; done

contents() { dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | sed 's|^\./|/|'; }
has() { contents "$1" | grep -qx "$2" || fail "$1 lacks $2"; }
has zhaoyin-host /usr/bin/zhaoyin-host
has zhaoyin-host /etc/zhaoyin/zhaoyin.properties
has zhaoyin-host /lib/systemd/system/zhaoyin.service
has zhaoyin-tools /usr/bin/zhaoyin
has zhaoyin-tools /usr/bin/zhaoyin-wallet
has zhaoyin-sdk-dev /usr/include/zhaoyin/plugin_abi.h
has zhaoyin-sdk-dev /usr/lib/cmake/ZhaoyinSDK/ZhaoyinSDKConfig.cmake
has zhaoyin-plugins /etc/zhaoyin/scripts/tax/etax_hall.lua
# Exactly the department plugins and the example: never the test-only ones.
plugins=$(contents zhaoyin-plugins | sed -n 's|^/usr/lib/zhaoyin/plugins/\(.*\)\.so$|\1|p' | sort | tr '\n' ' ')
[[ "$plugins" == "banking example real_estate social_insurance tax " ]] || fail "plugins packaged: $plugins"

# The packaged configuration points at the installed paths.
conf=$(dpkg-deb --fsys-tarfile "$(deb zhaoyin-host)" | tar -xO ./etc/zhaoyin/zhaoyin.properties)
for line in "store.data_dir = /var/lib/zhaoyin/data" "plugins.dir = /usr/lib/zhaoyin/plugins" \
            "scripts.dir = /etc/zhaoyin/scripts" "http.host = 127.0.0.1"; do
  grep -qx "$line" <<<"$conf" || fail "the packaged configuration lacks '$line'"
done

# Depends: from dpkg-shlibdeps, plus what it cannot see.
depends() { dpkg-deb -f "$(deb "$1")" Depends; }
for d in adduser fonts-wqy-zenhei procps libpocofoundation80 libssl3 liblua5.4-0; do
  grep -q "\b$d\b" <<<"$(depends zhaoyin-host)" || fail "zhaoyin-host does not depend on $d: $(depends zhaoyin-host)"
done
grep -q libzbar0 <<<"$(depends zhaoyin-tools)" || fail "zhaoyin-tools does not depend on libzbar0"
grep -q "zhaoyin-host (= " <<<"$(depends zhaoyin-plugins)" || fail "zhaoyin-plugins does not depend on its host"
[[ "$(dpkg-deb -f "$(deb zhaoyin-sdk-dev)" Architecture)" == all ]] || fail "zhaoyin-sdk-dev is not Architecture: all"
# Stripped (no -dbgsym package is made).
dpkg-deb --fsys-tarfile "$(deb zhaoyin-host)" | tar -xO ./usr/bin/zhaoyin-host >"$pkgs/.zhaoyin-host.check"
if readelf -S "$pkgs/.zhaoyin-host.check" | grep -q '\.debug_info'; then fail "zhaoyin-host is not stripped"; fi
rm -f "$pkgs/.zhaoyin-host.check"
echo "ok: $(ls "$pkgs"/*.deb | xargs -n1 basename | tr '\n' ' ')"
