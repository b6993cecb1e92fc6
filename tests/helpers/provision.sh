#!/usr/bin/env bash
# Installs what the tests use beyond Rust and util-linux, once, when it is
# missing, so that `cargo test` works on a fresh Debian machine as root (the
# tests call this; so does .ci/run). Serialised with flock: tests run in
# parallel. Installs start no service (policy-rc.d refuses every start).
#
#   provision.sh promtool            promtool on PATH (from Debian's prometheus
#                                    package, unpacked: installing it would
#                                    start a server)
#   provision.sh prometheus_client   Python's prometheus_client
#   provision.sh postgresql          PostgreSQL 15's server binaries
set -euo pipefail
exec 9>/tmp/shmtool-provision.lock
flock 9

apt_updated=
apt_get() {
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

no_service_starts() {
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
}

case "${1:-}" in
promtool)
    command -v promtool >/dev/null && exit 0
    tmp=$(mktemp -d)
    (cd "$tmp" && { apt-get download prometheus >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get download prometheus >/dev/null; }; })
    dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
    install -m 0755 "$tmp/x/usr/bin/promtool" /usr/local/bin/promtool
    rm -rf "$tmp"
    ;;
prometheus_client)
    python3 -c 'import prometheus_client' 2>/dev/null && exit 0
    python3 -m pip install -q prometheus_client
    ;;
postgresql)
    [ -x /usr/lib/postgresql/15/bin/postgres ] && exit 0
    no_service_starts
    apt_get install -y -qq postgresql-15 >/dev/null
    ;;
*)
    echo "usage: provision.sh promtool|prometheus_client|postgresql" >&2
    exit 2
    ;;
esac
