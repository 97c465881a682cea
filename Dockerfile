# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/socsec_exporter ./cmd/socsec_exporter

# busybox keeps the image small and provides wget for the health check.
FROM busybox:1.37.0
COPY --from=build /out/socsec_exporter /bin/socsec_exporter
USER 65534:65534
EXPOSE 10716
HEALTHCHECK --interval=30s --timeout=5s CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:10716/-/ready"]
ENTRYPOINT ["/bin/socsec_exporter"]
