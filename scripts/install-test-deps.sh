#!/usr/bin/env bash
# Installs the real programs the tests run, from Debian's packages, when they
# are missing: prometheus, promtool and amtool, and the clients that read gzip
# scrapes: curl, python3 and chromium. Needs root (or sudo) only when something
# is missing. (scripts/loadtest.sh installs what it needs itself.)
set -euo pipefail

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v chromium >/dev/null || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} from Debian's packages" >&2
$sudo apt-get update -qq
# --no-install-recommends keeps node_exporter from being pulled in with prometheus;
# no service is started on install.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $(printf "%s\n" "${missing[@]}" | sort -u) >/dev/null
