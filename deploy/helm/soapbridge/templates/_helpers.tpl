{{/* Names and labels shared by every template. */}}

{{- define "soapbridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "soapbridge.fullname" -}}
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

{{/* The gateway's pods; the bundled Redis has component "redis" so no selector takes both. */}}
{{- define "soapbridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "soapbridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "soapbridge.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "soapbridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "soapbridge.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: soapbridge
{{- end }}

{{- define "soapbridge.labels" -}}
{{ include "soapbridge.commonLabels" . }}
{{ include "soapbridge.selectorLabels" . }}
{{- end }}

{{- define "soapbridge.redisLabels" -}}
{{ include "soapbridge.commonLabels" . }}
{{ include "soapbridge.redisSelectorLabels" . }}
{{- end }}

{{- define "soapbridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "soapbridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "soapbridge.mappingsConfigMap" -}}
{{- default (printf "%s-mappings" (include "soapbridge.fullname" .)) .Values.mappings.existingConfigMap }}
{{- end }}

{{- define "soapbridge.wsdlConfigMap" -}}
{{- default (printf "%s-wsdl" (include "soapbridge.fullname" .)) .Values.wsdl.existingConfigMap }}
{{- end }}

{{/* More than one pod may run: a PodDisruptionBudget makes sense. */}}
{{- define "soapbridge.multiplePods" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{- end }}
{{- end }}
