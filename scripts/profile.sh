#!/usr/bin/env bash
# Records pprof profiles of the exporter at SERIES generated series (default
# 1M) into docs/profiles/: CPU and allocations of a reload (BenchmarkLoad),
# CPU of scrapes fresh after a load and with every view warm, and the in-use
# heap in both states (BenchmarkScrape), each with its top as text. Read one
# with: go tool pprof -top docs/profiles/load.cpu.pb.gz
#
#   scripts/profile.sh                  # SERIES=1000000
set -euo pipefail

SERIES=${SERIES:-1000000}
out=docs/profiles

cd "$(dirname "$0")/.."
work=$(mktemp -d -t socsec-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
# -trimpath: the profiles name source files by module path, not where they were built.
go test -c -trimpath -o "$work/app.test" ./internal/app/

bench() { # bench NAME PATTERN TIMES: run the benchmarks PATTERN TIMES times each, with CPU and allocation profiles.
	"$work/app.test" -test.run '^$' -test.bench "$2" -test.benchtime "$3" -test.benchmem \
		-test.cpuprofile "$out/$1.cpu.pb.gz" -test.memprofile "$work/$1.mem" \
		-bench.series "$SERIES" -bench.heap-profile-dir "$out" | grep -E '^(Benchmark|ok|PASS)'
	go tool pprof -top -nodecount 30 "$out/$1.cpu.pb.gz" >"$out/$1.cpu.txt" 2>/dev/null
}
bench load 'BenchmarkLoad$' 5x
mv "$work/load.mem" "$out/load.alloc.pb.gz"
go tool pprof -top -nodecount 30 -sample_index=alloc_space "$out/load.alloc.pb.gz" >"$out/load.alloc.txt" 2>/dev/null
bench scrape-fresh 'BenchmarkScrape/fresh/' 100x
bench scrape-warm 'BenchmarkScrape/warm/' 100x
for state in fresh warm; do
	go tool pprof -top -nodecount 30 -sample_index=inuse_space "$out/scrape-$state.heap.pb.gz" >"$out/scrape-$state.heap.txt" 2>/dev/null
done
echo "profiles of $SERIES series in $out" >&2
