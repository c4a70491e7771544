#!/usr/bin/env bash
# The real servers the tests and the demo start on loopback, from Debian's archive:
# Prometheus (+ promtool), Alertmanager (+ amtool), HAProxy, openssl for the sandboxes' certificates, and
# PostgreSQL 15 + Redis for n8n's queue mode (test/sandbox/queue), and chromium for the browser test of the n8n
# editor (driven by puppeteer-core; its own browser download is not reachable).
# Installs only what is missing; a no-op on a machine that has them.
set -euo pipefail

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v openssl >/dev/null || missing+=(openssl)
# Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "system-packages: installing ${packages}from Debian" >&2
  $sudo_cmd apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends $packages
fi
