#!/usr/bin/env bash
# Installs the real PDS, PLC directory and AppView (package-lock.json here) that the Bluesky
# connector's tests run on 127.0.0.1.
# Fast when already installed. Never fails the build: if Node, npm or the native build of
# better-sqlite3 is missing, it says so in one line and tests/connectors/test_bluesky_pds.py skips.
cd "$(dirname "$0")" || exit 0
stamp=node_modules/.installed
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ]; then
  exit 0
fi
skip() { echo "PDS for the Bluesky tests not installed ($1): those tests will be skipped"; exit 0; }
command -v node >/dev/null 2>&1 || skip "no node"
command -v npm >/dev/null 2>&1 || skip "no npm"
# better-sqlite3 is compiled here (its prebuilt binary is not downloadable): use the installed
# Node headers rather than downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
start=$(date +%s)
if ! timeout 600 npm ci --no-audit --no-fund --loglevel=error >install.log 2>&1; then
  rm -f "$stamp"
  skip "npm ci failed, see tests/pds/install.log"
fi
if ! timeout 60 node -e "new (require('better-sqlite3'))(':memory:'); require('@atproto/pds'); require('@did-plc/server')" \
    >>install.log 2>&1; then
  skip "the PDS does not load on node $(node -v), see tests/pds/install.log"
fi
touch "$stamp"
# The AppView (for mentions, search and threads) is a bonus: without it only those tests skip.
if timeout 60 node -e "require('@atproto/dev-env')" >>install.log 2>&1; then
  touch node_modules/.appview
fi
echo "PDS for the Bluesky tests installed in $(( $(date +%s) - start )) s"
