{{- define "kinsight.fullname" -}}
{{- printf "%s" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kinsight.labels" -}}
app.kubernetes.io/name: kinsight
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kinsight.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The store the agents remote-write to: remoteWrite.url, else the chart's own VictoriaMetrics. */}}
{{- define "kinsight.remoteWriteUrl" -}}
{{- if .Values.remoteWrite.url -}}
{{ .Values.remoteWrite.url }}
{{- else if .Values.victoriaMetrics.enabled -}}
http://{{ include "kinsight.fullname" . }}-victoria-metrics.{{ .Release.Namespace }}.svc:8428/api/v1/write
{{- end -}}
{{- end -}}

{{/* Where the hub reads the agents' series back with PromQL. */}}
{{- define "kinsight.storeUrl" -}}
{{- if .Values.store.url -}}
{{ .Values.store.url }}
{{- else if .Values.victoriaMetrics.enabled -}}
http://{{ include "kinsight.fullname" . }}-victoria-metrics.{{ .Release.Namespace }}.svc:8428
{{- end -}}
{{- end -}}
