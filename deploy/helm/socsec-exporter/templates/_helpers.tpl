{{/* The chart's name, or nameOverride. */}}
{{- define "socsec-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name of the objects: fullnameOverride, the release name when it contains the chart's name, else both. */}}
{{- define "socsec-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "socsec-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "socsec-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "socsec-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "socsec-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: socsec-exporter
{{- end }}

{{/* Whether the chart's ConfigMap exists: a config, or dataset files (which need a config naming them). */}}
{{- define "socsec-exporter.hasConfig" -}}
{{- if and (not .Values.config) .Values.datasets.files }}
{{- fail "datasets.files needs a config that lists them" }}
{{- end }}
{{- if .Values.config }}true{{ end }}
{{- end }}

{{/* The name of the Secret holding the web config, when there is one. */}}
{{- define "socsec-exporter.webConfigSecret" -}}
{{- if .Values.webConfig.existingSecret }}
{{- .Values.webConfig.existingSecret }}
{{- else if .Values.webConfig.content }}
{{- include "socsec-exporter.fullname" . }}-web-config
{{- end }}
{{- end }}

{{/* The address of the exporter through the Ingress: its first host and path, https when a tls entry names the host. */}}
{{- define "socsec-exporter.ingressURL" -}}
{{- $host := first .Values.ingress.hosts }}
{{- $scheme := "http" }}
{{- range .Values.ingress.tls }}
{{- if has $host.host (.hosts | default list) }}{{ $scheme = "https" }}{{ end }}
{{- end }}
{{- $path := "/" }}
{{- with $host.paths }}{{ $path = (first .).path }}{{ end }}
{{- printf "%s://%s%s" $scheme $host.host ($path | trimSuffix "/") }}
{{- end }}

{{/*
The address under which browsers reach the exporter's pages, without a trailing slash: dashboards.exporterURL, else
that of the Ingress, else http://localhost:<web.port>, where the port-forward of NOTES.txt puts the exporter.
*/}}
{{- define "socsec-exporter.exporterURL" -}}
{{- if .Values.dashboards.exporterURL }}
{{- .Values.dashboards.exporterURL | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- include "socsec-exporter.ingressURL" . }}
{{- else }}
{{- printf "http://localhost:%v" .Values.web.port }}
{{- end }}
{{- end }}
