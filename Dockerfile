# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version stamped into socsec_build_info comes from VERSION, as with `make build`.
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X github.com/prometheus/common/version.Version=$(cat VERSION) -X github.com/prometheus/common/version.BuildUser=docker" \
    -o /out/socsec_exporter ./cmd/socsec_exporter

# The history-backfill step of docker-compose.yml: the same binary, with promtool and a shell to run
# scripts/backfill.sh, as the image's non-root user.
FROM prom/prometheus:v3.16.0 AS history-backfill
COPY --from=build /out/socsec_exporter /bin/socsec_exporter
COPY --chmod=0755 scripts/backfill.sh /bin/socsec-backfill
USER 65534:65534
ENTRYPOINT ["/bin/socsec-backfill"]

# busybox keeps the image small and provides wget for the health check.
FROM busybox:1.37.0
COPY --from=build /out/socsec_exporter /bin/socsec_exporter
USER 65534:65534
EXPOSE 10716
HEALTHCHECK --interval=30s --timeout=5s CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:10716/-/ready"]
ENTRYPOINT ["/bin/socsec_exporter"]
