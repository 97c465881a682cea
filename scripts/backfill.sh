#!/bin/sh
# Turns the datasets into TSDB blocks that a Prometheus can start on, for the
# history view with the statistical years on a real time axis:
#
#   scripts/backfill.sh [--config.file=FILE] [--label=NAME=VALUE]... OUTDIR
#
# Without --config.file it backfills the embedded default. Each --label adds
# a constant label to every series, e.g. --label=job=socsec_history for
# dashboards that filter on job. It runs
# "socsec_exporter backfill" (the binary named by $SOCSEC_EXPORTER, else
# socsec_exporter on PATH, else one built from this checkout) and
# "promtool tsdb create-blocks-from openmetrics" (promtool from $PROMTOOL or
# PATH). OUTDIR must be new or empty, so that blocks from an earlier run never
# mix with these. POSIX sh, so that a Prometheus container can run it.
set -eu

usage() {
	echo "usage: $0 [--config.file=FILE] [--label=NAME=VALUE]... OUTDIR" >&2
	exit 2
}

# The options go to "socsec_exporter backfill" as they are: they stay in "$@"
# (rotated to its end), and OUTDIR is taken out.
out=""
n=$#
while [ "$n" -gt 0 ]; do
	arg=$1
	shift
	n=$((n - 1))
	case $arg in
	--config.file=* | --label=*) set -- "$@" "$arg" ;;
	-*) usage ;;
	*)
		[ -z "$out" ] || usage
		out=$arg
		;;
	esac
done
[ -n "$out" ] || usage
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
	echo "$0: $out is not empty: remove it or name a new directory" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

if [ -n "${SOCSEC_EXPORTER:-}" ]; then
	exporter=$SOCSEC_EXPORTER
elif command -v socsec_exporter >/dev/null 2>&1; then
	exporter=socsec_exporter
else
	exporter=$tmp/socsec_exporter
	go build -C "$(dirname "$0")/.." -o "$exporter" ./cmd/socsec_exporter
fi
promtool=${PROMTOOL:-promtool}

"$exporter" backfill "$@" --output="$tmp/history.om"
mkdir -p "$out"
"$promtool" tsdb create-blocks-from openmetrics --quiet "$tmp/history.om" "$out"

# Samples sit at 31 December 00:00:00 UTC of their year, so the lowest
# timestamp divided by an average year gives the oldest year.
oldest=$(awk '!/^#/ { if (min == "" || $NF < min) min = $NF } END { print int(min / 31556952) + 1970 }' "$tmp/history.om")
now=$(date -u +%Y)
years=$((now - oldest + 1))
retention=30
[ "$years" -lt "$retention" ] || retention=$((years + 5))

# The history server's configuration scrapes nothing and evaluates no rules: in a checkout, the one beside this
# script, else (as in the image, where this script is /bin/socsec-backfill) the repository's path of it.
config=$(cd "$(dirname "$0")/.." && pwd)/deploy/prometheus/history.yml
[ -f "$config" ] || config=deploy/prometheus/history.yml

echo "Blocks from $oldest onwards are in $out. Start a Prometheus that scrapes nothing on them, for example:"
echo "  prometheus --config.file=$config --storage.tsdb.path=$out --storage.tsdb.retention.time=${retention}y --web.listen-address=127.0.0.1:9190"
cat >&2 <<WARN
Warning: Prometheus counts retention back from the newest block, not from today.
With the default of 15d it deletes every year but the newest at start-up, and a
server that also scrapes current data deletes them all. Keep
--storage.tsdb.retention.time above ${years}y (${oldest} to ${now}), e.g. ${retention}y.
Annual samples are invisible to plain selectors between their timestamps:
query them with last_over_time(metric[366d]).
WARN
