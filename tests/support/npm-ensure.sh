#!/bin/sh
# npm-ensure.sh DIR...: installs each DIR's pinned npm packages (npm ci from
# its package-lock.json) unless a complete install is already there.
#
# ctest runs test cases in parallel, and several cases (and several test
# programs) use the same node_modules: checking "is the folder there?" and
# then running `npm ci` let one case read a package while another's `npm ci`
# deleted and rewrote it (a flaky "Unexpected end of JSON input" in
# node_modules/*/package.json). So every case takes DIR's lock first, and an
# install counts only once npm ci has finished and left its marker.
# flock(1) is util-linux's, part of every Debian system.
set -e
for d in "$@"; do
  dir=$(cd "$d" && pwd)
  (
    flock 9
    if [ ! -f "$dir/node_modules/.zhaoyin-installed" ]; then
      (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
      touch "$dir/node_modules/.zhaoyin-installed"
    fi
  ) 9>"$dir/.npm-install.lock"
done
