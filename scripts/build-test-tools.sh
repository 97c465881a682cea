#!/usr/bin/env bash
# Builds the programs the tests run at the versions of deploy/versions.env, from their Go modules, once per version:
#   prometheus and promtool  github.com/prometheus/prometheus (tag remove_all_sd: no service discovery but file and http)
#   amtool                   github.com/prometheus/alertmanager
#   alertmanager             github.com/prometheus/alertmanager, without its web UI (see build_alertmanager)
#   helm                     helm.sh/helm/v3
# into $SOCSEC_TOOLS_DIR (default ${XDG_CACHE_HOME:-~/.cache}/socsec_exporter/tools), one directory per program and
# version, e.g. prometheus-3.16.0/, where internal/testenv looks for them. A directory that exists is complete (each
# build is moved into place when it has finished) and is not built again; delete it to rebuild. Each build prints how
# long it took. Needs go and the Go module proxy (or GOPROXY, or a filled module cache).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../deploy/versions.env
. deploy/versions.env
tools="${SOCSEC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/socsec_exporter/tools}"
mkdir -p "$tools"

# Prometheus 3.Y.Z is module version v0.3YY.Z.
IFS=. read -r major minor patch <<<"$PROMETHEUS_VERSION"
prometheus_module="v0.$((major * 100 + minor)).$patch"
common_version=github.com/prometheus/common/version.Version

# build DIR LDFLAGS PACKAGE@VERSION...: go install the packages into $tools/DIR unless it exists.
build() {
	local dir=$1 ldflags=$2 start=$SECONDS tmp
	shift 2
	[ -d "$tools/$dir" ] && return 0
	tmp=$(mktemp -d "$tools/.$dir.XXXXXX")
	chmod 755 "$tmp"
	if ! CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -tags remove_all_sd -ldflags "-s -w $ldflags" "$@" >"$tmp.log" 2>&1; then
		echo "building $dir failed:" >&2
		cat "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		return 1
	fi
	rm -f "$tmp.log"
	# Another run may have finished the same build first; either copy is as good.
	mv -T "$tmp" "$tools/$dir" 2>/dev/null || rm -rf "$tmp"
	echo "built $dir ($(cd "$tools/$dir" && echo *)) from its Go module in $((SECONDS - start)) s" >&2
}

# build_alertmanager DIR VERSION: builds the Alertmanager server into $tools/DIR unless it exists. `go install` cannot
# build it from its module: ui/web.go embeds the web UI's build output (ui/app/dist), which npm makes and the module
# does not hold. So it is built with go build in a copy of the module (go mod download fetches it, checked against
# go.sum and the checksum database as go install would), whose ui/app/dist holds a one-line page in place of the UI;
# the API, routing, grouping and notifications are the module's own code.
build_alertmanager() {
	local dir=$1 version=$2 start=$SECONDS tmp src
	[ -d "$tools/$dir" ] && return 0
	tmp=$(mktemp -d "$tools/.$dir.XXXXXX")
	chmod 755 "$tmp"
	src=$(mktemp -d)
	if ! (
		set -e
		# Outside any module, so that no go.mod or go.sum of ours is touched.
		cd "$src"
		module=$(go mod download -json "github.com/prometheus/alertmanager@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		[ -d "$module" ]
		cp -R "$module" "$src/alertmanager"
		chmod -R u+w "$src/alertmanager"
		for ui in elm mantine; do
			mkdir -p "$src/alertmanager/ui/app/dist/$ui"
			echo '<!doctype html><title>Alertmanager</title><p>Built without the web UI: use the API.' >"$src/alertmanager/ui/app/dist/$ui/index.html"
		done
		cd "$src/alertmanager"
		CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $common_version=$version" -o "$tmp/alertmanager" ./cmd/alertmanager
	) >"$tmp.log" 2>&1; then
		echo "building $dir failed:" >&2
		cat "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log" "$src"
		return 1
	fi
	rm -rf "$tmp.log" "$src"
	mv -T "$tmp" "$tools/$dir" 2>/dev/null || rm -rf "$tmp"
	echo "built $dir (alertmanager) from its Go module in $((SECONDS - start)) s" >&2
}

# One after the other: on two cores, parallel builds compile the packages the three share more than once and take
# longer (measured cold: 315 s in a row, 510 s in parallel).
start=$SECONDS
build "prometheus-$PROMETHEUS_VERSION" "-X $common_version=$PROMETHEUS_VERSION" \
	"github.com/prometheus/prometheus/cmd/prometheus@$prometheus_module" \
	"github.com/prometheus/prometheus/cmd/promtool@$prometheus_module"
build "alertmanager-$ALERTMANAGER_VERSION" "-X $common_version=$ALERTMANAGER_VERSION" \
	"github.com/prometheus/alertmanager/cmd/amtool@v$ALERTMANAGER_VERSION"
build_alertmanager "alertmanager-server-$ALERTMANAGER_VERSION" "$ALERTMANAGER_VERSION"
build "helm-$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" \
	"helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
if [ $((SECONDS - start)) -gt 1 ]; then
	echo "test tools ready in $tools after $((SECONDS - start)) s" >&2
fi
