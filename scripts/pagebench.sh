#!/usr/bin/env bash
# Benchmarks the provenance pages at scale, on loopback only: a generated
# dataset of SERIES series with the pages' worst cases beside it (a conflict
# of CONFLICT figures of one series, TOTALS declared totals on one indicator
# and region, a quote of QUOTE_BYTES on every figure), then
#   1. start-up to /-/ready and the first /checks of the version, which builds
#      the list of every check;
#   2. each page ROUNDS times, one at a time: median and slowest answer;
#   3. RSS steady (after 2.), then PARALLEL requests at once, REQUESTS in all,
#      cycling through the pages, with --web.max-page-requests at PAGE_LIMIT:
#      answers by status, median and slowest, and the peak RSS meanwhile
#      (VmHWM, reset before).
# Prints Markdown; every process it starts is stopped by its PID on exit.
#
#   scripts/pagebench.sh                          # SERIES=1000000 QUOTE_BYTES=4096
#   SERIES=100000 QUOTE_BYTES=1024 scripts/pagebench.sh
set -euo pipefail

SERIES=${SERIES:-1000000}
CONFLICT=${CONFLICT:-10000}
TOTALS=${TOTALS:-40000}
QUOTE_BYTES=${QUOTE_BYTES:-4096}
ROUNDS=${ROUNDS:-5}
PARALLEL=${PARALLEL:-30}
REQUESTS=${REQUESTS:-300}
PAGE_LIMIT=${PAGE_LIMIT:-$PARALLEL}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-600} # seconds the first load may take
PORT=${PORT:-18792}

cd "$(dirname "$0")/.."
work=$(mktemp -d -t socsec-pagebench.XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
mb() { echo $((($1 + 512) / 1024)); }
base="http://127.0.0.1:$PORT"

echo "building" >&2
go build -o "$work/socsec_exporter" ./cmd/socsec_exporter
go build -o "$work/socsec_datagen" ./cmd/socsec_datagen
t0=$(now_ms)
"$work/socsec_datagen" --series "$SERIES" --conflict-figures "$CONFLICT" --totals "$TOTALS" \
	--quote-bytes "$QUOTE_BYTES" --out "$work/data" >&2
gen_ms=$(($(now_ms) - t0))
bytes=$(du -sb "$work/data" | cut -f1)
largest=$(find "$work/data" -type f -printf '%s\n' | sort -n | tail -1)

# The files are far larger than the defaults allow once every figure has a
# quote: the limits are raised to what this data needs, and no further.
t0=$(now_ms)
"$work/socsec_exporter" --config.file="$work/data/config.yml" --web.listen-address="127.0.0.1:$PORT" \
	--dataset.max-file-bytes=$((largest + 1)) --dataset.max-total-bytes=$((bytes + 1)) \
	--config.reload-timeout="${LOAD_TIMEOUT}s" --web.max-page-requests="$PAGE_LIMIT" \
	--log.level=warn 2>"$work/exporter.log" &
pid=$!
ready=""
while [ $(($(now_ms) - t0)) -lt $((LOAD_TIMEOUT * 1000)) ] && kill -0 "$pid" 2>/dev/null; do
	if curl -sf -o /dev/null "$base/-/ready"; then ready=1; break; fi
	sleep 0.2
done
if [ -z "$ready" ]; then
	echo "the exporter was not ready within ${LOAD_TIMEOUT}s:" >&2
	tail -5 "$work/exporter.log" >&2
	exit 1
fi
start_ms=$(($(now_ms) - t0))
load_rss=$(kb VmRSS) load_hwm=$(kb VmHWM)

# After /-/ready the exporter still renders and compresses in the background
# (see scaling.md): the pages are measured once it has used under 5 % of a
# CPU for two seconds running, or after two minutes whatever it does.
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(now_ms) idle=0
while [ "$idle" -lt 2 ] && [ $(($(now_ms) - t0)) -lt 120000 ]; do
	a=$(ticks)
	sleep 1
	if [ $(($(ticks) - a)) -le $((hz / 20)) ]; then idle=$((idle + 1)); else idle=0; fi
done
settle_ms=$(($(now_ms) - t0))
settle_rss=$(kb VmRSS)

# get PATH: status, seconds and bytes of one GET, as curl reports them.
get() { curl -s -o /dev/null --max-time 60 -w '%{http_code} %{time_total} %{size_download}\n' "$base$1"; }

first_checks=$(get /checks)

# The pages: the landing page, the list of figures and a filtered one, a
# county's coverage figure, the conflict's first and last pages, a total and
# its parts, and /checks with a page deep in its largest groups.
year=$(grep -o 'preliminary-[0-9]*' "$work/data/datasets/national.yaml" | head -1 | cut -d- -f2)
total=$((TOTALS / 2)) # The middle total: group and subgroup as socsec_datagen names them.
county=$(awk -F, 'NR > 1 && $1 == "socsec_coverage_ratio" && $2 ~ /^[0-9]+$/ && $2 !~ /00$/ { print $2; exit }' "$work/data/datasets/national-observations.csv")
pages=(
	"/"
	"/figures"
	"/figures?year=$((year - 4))&program=basic_medical"
	"/figure?metric=socsec_coverage_ratio&region_code=$county&program=basic_pension&year=$year"
	"/figure?metric=socsec_insured_persons&region_code=CN&program=stress_conflict&year=$year"
	"/figure?metric=socsec_insured_persons&region_code=CN&program=stress_conflict&year=$year&page=$(((CONFLICT + 99) / 100))"
	"/figure?metric=socsec_group_members_persons&region_code=CN&program=stress_totals&year=$year&group=g$(printf %03d $((total / 1000)))&subgroup=s$(printf %03d $((total % 1000)))&part=all"
	"/checks"
	"/checks?group=check%3Atotal&page=$(((TOTALS + 199) / 200))"
	"/checks?group=check%3Acoverage&page=300"
)

echo
echo "Pages at $SERIES series ($(mb $((bytes / 1024))) MB of files; a conflict of $CONFLICT figures, $TOTALS totals, a quote of $QUOTE_BYTES bytes on every figure), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg):"
echo
echo "- generated in ${gen_ms} ms; start-up to /-/ready ${start_ms} ms; RSS then $(mb "$load_rss") MB, peak during the load $(mb "$load_hwm") MB"
echo "- the background work after the load done ${settle_ms} ms later (two seconds idle included); RSS then $(mb "$settle_rss") MB"
read -r code secs size <<<"$first_checks"
echo "- the first /checks of the version (builds the list of every check): status $code, $(awk -v s="$secs" 'BEGIN { printf "%.0f", s * 1000 }') ms, $size bytes"
echo
echo "| page | status | bytes | median of $ROUNDS | slowest |"
echo "|---|---:|---:|---:|---:|"
for p in "${pages[@]}"; do
	times=()
	for _ in $(seq 1 "$ROUNDS"); do
		read -r code secs size <<<"$(get "$p")"
		times+=("$secs")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v p="$p" -v code="$code" -v size="$size" '
		{ t[NR] = $1 * 1000 } END { printf "| `%s` | %s | %s | %.1f ms | %.1f ms |\n", p, code, size, t[int((NR + 1) / 2)], t[NR] }'
done

sleep 2
steady=$(kb VmRSS)
echo 5 >"/proc/$pid/clear_refs" # VmHWM from here on
for i in $(seq 0 $((REQUESTS - 1))); do echo "${pages[$((i % ${#pages[@]}))]}"; done |
	xargs -P "$PARALLEL" -I{} curl -s -o /dev/null --max-time 60 -w '%{http_code} %{time_total}\n' "$base{}" >"$work/parallel.txt"
peak=$(kb VmHWM)
after=$(kb VmRSS)
echo
echo "$REQUESTS requests, $PARALLEL at a time, cycling through the pages above, --web.max-page-requests=$PAGE_LIMIT:"
echo
awk '{ n[$1]++ } END { for (c in n) printf "%s × %s, ", n[c], c; printf "\n" }' "$work/parallel.txt" | sed 's/, $//; s/^/- answers: /'
awk '$1 != "503" { print $2 * 1000 }' "$work/parallel.txt" | sort -n | awk '
	{ t[NR] = $1 } END { if (NR) printf "- answered (not 503): median %.1f ms, slowest %.1f ms\n", t[int((NR + 1) / 2)], t[NR] }'
echo "- RSS steady $(mb "$steady") MB; peak during the requests $(mb "$peak") MB ($(awk -v a="$peak" -v b="$steady" 'BEGIN { printf "%.2f", a / b }')× steady); after them $(mb "$after") MB"
echo "- run on $(date -u +%Y-%m-%d), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
