#!/usr/bin/env bash
# What the test suite needs outside npm: a Redis on 127.0.0.1:6379 and Debian's
# chromium for the browser tests. Installs (Debian packages) and starts what is missing.
set -euo pipefail

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "test-services: $* missing and not root; install it with apt-get install $*" >&2
    exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
