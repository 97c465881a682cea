#!/usr/bin/env bash
# Benchmarks socsec_exporter against nginx serving the same exposition as a
# static file (gzip_static for gzip) and node_exporter's textfile collector,
# for generated datasets of 10k, 100k and 1M series, on loopback only. Then,
# at the largest size: start-up and reload against gzip -1, four concurrent
# scrapers, every view warm (each ?dataset=, shards for n = 2, 4, 8, 16, both
# formats and encodings), 200 concurrent connections and a reload under load.
# Prints Markdown tables; every process it starts is stopped on exit.
#
#   scripts/loadtest.sh                 # SIZES="10000 100000 1000000"
#   SIZES=100000 DURATION=5 scripts/loadtest.sh
set -euo pipefail

SIZES=${SIZES:-"10000 100000 1000000"}
DURATION=${DURATION:-10}            # seconds of wrk per measurement
SLOW_SCRAPES=${SLOW_SCRAPES:-3}     # curl scrapes of node_exporter, whose scrapes take seconds
RELOAD_DURATION=${RELOAD_DURATION:-60}
EXPORTER_PORT=${EXPORTER_PORT:-18716}
NGINX_PORT=${NGINX_PORT:-18780}
NODE_PORT=${NODE_PORT:-18781}

cd "$(dirname "$0")/.."
work=$(mktemp -d -t socsec-loadtest.XXXXXX)
chmod 755 "$work" # nginx workers run as an unprivileged user and must read the files.
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

need() { # need COMMAND DEBIAN_PACKAGE
	command -v "$1" >/dev/null && return
	echo "installing $2 for $1" >&2
	local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
need wrk wrk
need nginx nginx-light
[ -x /usr/bin/prometheus-node-exporter ] || need prometheus-node-exporter prometheus-node-exporter
node_exporter_bin=$(command -v prometheus-node-exporter || echo /usr/bin/prometheus-node-exporter)

echo "building" >&2
go build -o "$work/socsec_exporter" ./cmd/socsec_exporter
go build -o "$work/socsec_datagen" ./cmd/socsec_datagen
go build -o "$work/reloadcheck" ./internal/reloadcheck

wait_http() { # wait_http URL SECONDS
	for _ in $(seq 1 $(($2 * 50))); do curl -sf -o /dev/null "$1" && return 0; sleep 0.02; done
	echo "timed out waiting for $1" >&2; return 1
}
now_ms() { date +%s%3N; }
# median3 CMD...: the median of three runs of a command that prints a number.
median3() { for _ in 1 2 3; do "$@"; done | sort -n | sed -n 2p; }
gzip1_ms() { # gzip1_ms FILE: one gzip -1 of FILE on one core, in ms.
	local t0; t0=$(now_ms); gzip -1 -c "$1" >/dev/null; echo $(($(now_ms) - t0))
}
reload_ms() { # reload_ms URL: one POST /-/reload of the same data, in ms.
	curl -sf -X POST -o /dev/null -w '%{time_total}\n' "$1/-/reload" | awk '{ printf "%.0f\n", $1 * 1000 }'
}
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/status"; }

# wrk_median CONNECTIONS URL [HEADER...]: the median latency with CONNECTIONS
# concurrent connections (one wrk thread for one, two otherwise), in ms.
wrk_median() {
	local c=$1 url=$2; shift 2
	local args=()
	for h in "$@"; do args+=(-H "$h"); done
	wrk -t"$((c > 1 ? 2 : 1))" -c"$c" -d"${DURATION}s" --timeout 120s --latency "${args[@]}" "$url" |
		awk '$1 == "50%" { v = $2; sub(/[a-z]+$/, "", v); u = $2; sub(/^[0-9.]+/, "", u);
			if (u == "us") v /= 1000; if (u == "s") v *= 1000; if (u == "m") v *= 60000; printf "%.1f", v }'
}
median_ms() { wrk_median 1 "$@"; }
median_ms_c4() { wrk_median 4 "$@"; }

# slow_median_ms URL [HEADER...]: the median time of SLOW_SCRAPES sequential curl scrapes, in ms.
slow_median_ms() {
	local url=$1; shift
	local args=()
	for h in "$@"; do args+=(-H "$h"); done
	for _ in $(seq 1 "$SLOW_SCRAPES"); do
		curl -sf --max-time 120 -o /dev/null -w '%{time_total}\n' "${args[@]}" "$url"
	done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f", t[int((NR + 1) / 2)] * 1000 }'
}

P2_ACCEPT='Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
P3_ACCEPT='Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.2,text/plain;version=0.0.4;q=0.1,*/*;q=0.05'
TEXT_ACCEPT='Accept: text/plain;version=0.0.4'
GZIP='Accept-Encoding: gzip'

echo "| series | server | plain | gzip | RSS steady | RSS peak |"
echo "|---:|---|---:|---:|---:|---:|"
for n in $SIZES; do
	d="$work/$n"
	mkdir -p "$d/www" "$d/textfile"
	"$work/socsec_datagen" --series "$n" --out "$d/0" >&2
	"$work/socsec_datagen" --series "$n" --variant 1 --out "$d/1" >&2
	ln -sfn "$d/0/datasets" "$d/current"
	cp "$d/0/config.yml" "$d/config.yml"
	sed -i 's|^  - datasets$|  - current|' "$d/config.yml"
	printf '#!/bin/sh\nln -sfn "%s/$1/datasets" "%s/current.new" && mv -T "%s/current.new" "%s/current"\n' "$d" "$d" "$d" "$d" >"$d/switch.sh"
	chmod +x "$d/switch.sh"

	largest=$([ "$n" = "$(echo $SIZES | awk '{print $NF}')" ] && echo 1 || true)
	# At the largest size start-up is the median of three starts, all on a
	# quiet machine: two started and stopped here, then the one measured.
	starts=()
	if [ -n "$largest" ]; then
		for _ in 1 2; do
			started=$(now_ms)
			"$work/socsec_exporter" --config.file="$d/config.yml" --web.listen-address="127.0.0.1:$EXPORTER_PORT" 2>"$d/exporter-start.log" &
			extra=$!; pids+=("$extra")
			wait_http "http://127.0.0.1:$EXPORTER_PORT/-/ready" 300
			starts+=("$(($(now_ms) - started))")
			kill -0 "$extra" 2>/dev/null || { cat "$d/exporter-start.log" >&2; echo >&2 "loadtest: FAILED: the exporter exited (its log above)"; exit 1; }
			kill "$extra"; wait "$extra" || true
		done
	fi
	# --web.enable-lifecycle: the reload under load reloads through POST /-/reload.
	started=$(now_ms)
	"$work/socsec_exporter" --config.file="$d/config.yml" --web.listen-address="127.0.0.1:$EXPORTER_PORT" --web.enable-lifecycle 2>"$d/exporter.log" &
	exporter=$!; pids+=("$exporter")
	wait_http "http://127.0.0.1:$EXPORTER_PORT/-/ready" 300
	startup=$(($(now_ms) - started))
	starts+=("$startup")
	# Another process on the port would answer instead of ours.
	kill -0 "$exporter" 2>/dev/null || { cat "$d/exporter.log" >&2; echo >&2 "loadtest: FAILED: the exporter exited (its log above)"; exit 1; }
	load=$(grep -o 'duration=[^ ]*' "$d/exporter.log" | tail -1 | cut -d= -f2)
	sleep 2
	steady=$(kb VmRSS "$exporter"); peak=$(kb VmHWM "$exporter")

	# The same data part for nginx and node_exporter: everything before the self-metrics.
	# Read the whole body before cutting it: awk leaving early would fail curl with a broken pipe.
	curl -sf -H "$TEXT_ACCEPT" -o "$d/scrape.prom" "http://127.0.0.1:$EXPORTER_PORT/metrics"
	awk '/^# HELP go_/ {exit} {print}' "$d/scrape.prom" >"$d/www/metrics.prom"
	gzip -6 -k "$d/www/metrics.prom"
	cp "$d/www/metrics.prom" "$d/textfile/socsec.prom"
	bytes=$(stat -c %s "$d/www/metrics.prom"); gzbytes=$(stat -c %s "$d/www/metrics.prom.gz")
	# gzip -1 runs while the machine is as quiet as it was for the starts.
	[ -z "$largest" ] || gz=$(median3 gzip1_ms "$d/www/metrics.prom")
	cat >"$d/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp; uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
	sendfile on;
	gzip_static on;
	default_type text/plain;
	server { listen 127.0.0.1:$NGINX_PORT; root $d/www; }
}
NGINX
	mkdir -p "$d/tmp"
	nginx -c "$d/nginx.conf" -e "$d/nginx-error.log" &
	nginx_pid=$!; pids+=("$nginx_pid")
	"$node_exporter_bin" --web.listen-address="127.0.0.1:$NODE_PORT" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$d/textfile" 2>"$d/node.log" &
	node=$!; pids+=("$node")
	wait_http "http://127.0.0.1:$NGINX_PORT/metrics.prom" 10
	wait_http "http://127.0.0.1:$NODE_PORT/metrics" 60

	ours_plain=$(median_ms "http://127.0.0.1:$EXPORTER_PORT/metrics" "$TEXT_ACCEPT")
	ours_gzip=$(median_ms "http://127.0.0.1:$EXPORTER_PORT/metrics" "$P2_ACCEPT" "$GZIP")
	om_plain=$(median_ms "http://127.0.0.1:$EXPORTER_PORT/metrics" "$P3_ACCEPT")
	om_gzip=$(median_ms "http://127.0.0.1:$EXPORTER_PORT/metrics" "$P3_ACCEPT" "$GZIP")
	nginx_plain=$(median_ms "http://127.0.0.1:$NGINX_PORT/metrics.prom")
	nginx_gzip=$(median_ms "http://127.0.0.1:$NGINX_PORT/metrics.prom" "$GZIP")
	node_plain=$(slow_median_ms "http://127.0.0.1:$NODE_PORT/metrics" "$TEXT_ACCEPT")
	node_gzip=$(slow_median_ms "http://127.0.0.1:$NODE_PORT/metrics" "$TEXT_ACCEPT" "$GZIP")
	node_rss=$(kb VmRSS "$node"); node_peak=$(kb VmHWM "$node"); nginx_rss=$(ps -o rss= --ppid "$nginx_pid" | awk '{s += $1} END {print s}')
	# node_exporter is measured: stopped now, it frees its gigabytes rather
	# than collecting them beside the measurements that follow.
	kill "$node"; wait "$node" 2>/dev/null || true
	steady=$(( $(kb VmRSS "$exporter") > steady ? $(kb VmRSS "$exporter") : steady )); peak=$(kb VmHWM "$exporter")

	mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
	per() { awk -v k="$1" -v n="$n" 'BEGIN { printf "%.0f B/series", k * 1024 / n }'; }
	x() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'; }
	echo "| $n | nginx, static file ($((bytes >> 10)) KB, gzip_static $((gzbytes >> 10)) KB) | $nginx_plain ms | $nginx_gzip ms | $(mb "${nginx_rss:-0}") | |"
	echo "| $n | node_exporter textfile collector | $node_plain ms | $node_gzip ms | $(mb "$node_rss") | $(mb "$node_peak") |"
	echo "| $n | **socsec_exporter**, text 0.0.4 / Prometheus 2 Accept (OpenMetrics) for gzip | **$ours_plain ms** | **$ours_gzip ms** | $(mb "$steady") ($(per "$steady")) | $(mb "$peak") ($(per "$peak")) |"
	echo "| $n | **socsec_exporter**, OpenMetrics / Prometheus 3 Accept | **$om_plain ms** | **$om_gzip ms** | | |"
	echo "| $n | ratios: ours / nginx, node_exporter / ours | $(x "$ours_plain" "$nginx_plain") (OM $(x "$om_plain" "$nginx_plain")) | $(x "$ours_gzip" "$nginx_gzip") (OM $(x "$om_gzip" "$nginx_gzip")) | node_exporter $(x "$node_gzip" "$ours_gzip") slower (gzip) | load $load |"

	if [ -n "$largest" ]; then
		url="http://127.0.0.1:$EXPORTER_PORT"
		startup=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 2p)
		reload=$(median3 reload_ms "$url")
		sleep 2
		c4_ours=$(median_ms_c4 "$url/metrics" "$P2_ACCEPT" "$GZIP")
		c4_nginx=$(median_ms_c4 "http://127.0.0.1:$NGINX_PORT/metrics.prom" "$GZIP")
		fresh_plain=$(median_ms "$url/metrics" "$TEXT_ACCEPT")
		fresh_gzip=$(median_ms "$url/metrics" "$P2_ACCEPT" "$GZIP")
		fresh_rss=$(kb VmRSS "$exporter")
		# Every view once: each dataset alone and each shard for n = 2, 4, 8, 16, in both formats and encodings.
		views=0
		for ds in $(grep -o '^socsec_dataset_info{dataset="[^"]*"' "$d/scrape.prom" | cut -d'"' -f2); do
			for accept in "$TEXT_ACCEPT" "$P2_ACCEPT"; do for enc in identity gzip; do
				curl -sf --max-time 120 -o /dev/null -H "$accept" -H "Accept-Encoding: $enc" "$url/metrics?dataset=$ds"; views=$((views + 1))
			done; done
		done
		for shards in 2 4 8 16; do for i in $(seq 0 $((shards - 1))); do
			for accept in "$TEXT_ACCEPT" "$P2_ACCEPT"; do for enc in identity gzip; do
				curl -sf --max-time 120 -o /dev/null -H "$accept" -H "Accept-Encoding: $enc" "$url/metrics?shard=$i&shards=$shards"; views=$((views + 1))
			done; done
		done; done
		sleep 2
		warm_plain=$(median_ms "$url/metrics" "$TEXT_ACCEPT")
		warm_gzip=$(median_ms "$url/metrics" "$P2_ACCEPT" "$GZIP")
		warm_dataset=$(median_ms "$url/metrics?dataset=$ds" "$P2_ACCEPT" "$GZIP")
		warm_rss=$(kb VmRSS "$exporter")
		renders=$(curl -sf "$url/metrics" | awk '/^socsec_render_duration_seconds/ { printf "%s%s %.2f s", sep, $1, $2; sep = ", " }')
		echo
		echo "At $n series, fresh and with every view warm ($views scrapes: each dataset alone and each shard for n = 2, 4, 8, 16, in text and OpenMetrics, plain and gzip):"
		echo
		echo "| measure | fresh | every view warm | warm / fresh | against |"
		echo "|---|---:|---:|---:|---|"
		echo "| whole scrape, gzip (Prometheus 2 Accept) | $fresh_gzip ms | $warm_gzip ms | $(x "$warm_gzip" "$fresh_gzip") | nginx gzip_static $nginx_gzip ms: warm $(x "$warm_gzip" "$nginx_gzip") |"
		echo "| whole scrape, plain text | $fresh_plain ms | $warm_plain ms | $(x "$warm_plain" "$fresh_plain") | nginx $nginx_plain ms: warm $(x "$warm_plain" "$nginx_plain") |"
		echo "| RSS | $(mb "$fresh_rss") ($(per "$fresh_rss")) | $(mb "$warm_rss") ($(per "$warm_rss")) | $(x "$warm_rss" "$fresh_rss") | |"
		echo "| one dataset alone, gzip | | $warm_dataset ms | | |"
		echo "| 4 concurrent gzip scrapers (\`wrk -t2 -c4\`) | $c4_ours ms | | | nginx gzip_static, 4 clients: $c4_nginx ms: $(x "$c4_ours" "$c4_nginx") |"
		echo "| start-up to /-/ready, median of 3 (${starts[*]} ms) | $startup ms | | | gzip -1 of the plain exposition, one core, median of 3: $gz ms: $(x "$startup" "$gz") |"
		echo "| reload of the same data (POST /-/reload), median of 3 | $reload ms | | | gzip -1: $(x "$reload" "$gz") |"
		echo
		echo "Rendering times the exporter reports (socsec_render_duration_seconds): $renders."
		conns=$(wrk -t2 -c200 -d10s --timeout 60s -H "$P2_ACCEPT" -H "$GZIP" "http://127.0.0.1:$EXPORTER_PORT/metrics" |
			awk '/requests in/ {r = $1} /Non-2xx/ {e = $NF} /Socket errors/ {s = $0} END {printf "%s requests, %s answered 503, socket errors: %s", r, e + 0, (s == "" ? "none" : s)}')
		echo >&2 "200 connections: $conns; RSS $(mb "$(kb VmRSS "$exporter")"), peak $(mb "$(kb VmHWM "$exporter")")"
		echo
		echo "200 concurrent connections at $n series (--web.max-requests 40): $conns; RSS afterwards $(mb "$(kb VmRSS "$exporter")"), peak $(mb "$(kb VmHWM "$exporter")")."
		if ! out=$("$work/reloadcheck" --url "http://127.0.0.1:$EXPORTER_PORT" --switch "$d/switch.sh" --duration "${RELOAD_DURATION}s" --reload-every 2s 2>&1); then
			tail -20 <<<"$out" >&2
			echo >&2 "loadtest: FAILED: reload under load at $n series: reloadcheck failed (its last lines above)"
			exit 1
		fi
		result=$(tail -3 <<<"$out")
		echo
		echo "Reload under load at $n series, 4 scrapers for ${RELOAD_DURATION} s, a reload every 2 s alternating two variants: $result; RSS afterwards $(mb "$(kb VmRSS "$exporter")"), peak $(mb "$(kb VmHWM "$exporter")")."
	fi
	kill "$exporter" "$nginx_pid"
	wait "$exporter" "$nginx_pid" 2>/dev/null || true
	pids=()
done
