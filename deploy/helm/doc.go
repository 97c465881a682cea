// Package helm holds the Helm chart of the exporter, socsec-exporter/, and the tests that render it with the real
// helm and decode every manifest strictly into the Kubernetes and Prometheus Operator API types.
//
// The chart carries copies of the rule files of deploy/prometheus/rules/ and of the dashboards of dashboards/, since
// helm reads no file outside a chart; go generate writes them, and the tests fail while they differ.
package helm

//go:generate go run ./gen
