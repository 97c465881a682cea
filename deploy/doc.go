// Package deploy holds the Prometheus, Alertmanager and Grafana configuration of the docker-compose stack, and the
// tests that validate it with promtool, amtool and compose-go and prove the dashboards and alerts against a real
// Prometheus.
package deploy
