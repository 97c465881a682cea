#!/usr/bin/env bash
# Installs the real programs the tests run. From Debian's packages, when they are missing: prometheus (2.42 on
# Debian 12, the oldest Prometheus the exporter supports, which some end-to-end tests run), and the clients that read
# gzip scrapes: curl, python3 and chromium; and python3-prometheus-client, whose strict OpenMetrics parser reads every
# scrape format. Needs root (or sudo) only when something is missing. Then, from their Go modules, at the versions of
# deploy/versions.env (those the docker-compose stack runs): prometheus, promtool, amtool, alertmanager and helm, which
# the tests run by default (scripts/build-test-tools.sh; a few minutes the first time, cached after).
# (scripts/loadtest.sh installs what it needs itself.)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v chromium >/dev/null || missing+=(chromium)
# The strict OpenMetrics parser of the Python client library, for Debian's python3 (a python3 earlier on PATH may be
# another installation, without Debian's modules).
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
	missing+=(python3-prometheus-client)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "Installing ${missing[*]} from Debian's packages" >&2
	$sudo apt-get update -qq
	# --no-install-recommends keeps node_exporter from being pulled in with prometheus;
	# no service is started on install.
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

./scripts/build-test-tools.sh
