{{/* Common labels. */}}
{{- define "freeride.labels" -}}
app.kubernetes.io/part-of: freeride
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "ingest"). */}}
{{- define "freeride.selector" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Resource name of one component. */}}
{{- define "freeride.name" -}}
{{- printf "%s-%s" .root.Release.Name .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Image of one app: (dict "root" $ "app" "ingest"). */}}
{{- define "freeride.image" -}}
{{- $img := .root.Values.image -}}
{{- if $img.registry -}}
{{ printf "%s/%s/%s:%s" $img.registry $img.repository .app $img.tag }}
{{- else -}}
{{ printf "%s/%s:%s" $img.repository .app $img.tag }}
{{- end -}}
{{- end -}}

{{/* Name of the Secret mounted at /run/freeride-secrets. */}}
{{- define "freeride.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{ .Values.secrets.existingSecret }}
{{- else -}}
{{ printf "%s-secrets" .Release.Name }}
{{- end -}}
{{- end -}}

{{/* Pod-level parts shared by every app: security context, secret volume, tmp. */}}
{{- define "freeride.podSpec" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
volumes:
  - name: secrets
    secret:
      secretName: {{ include "freeride.secretName" .root }}
      defaultMode: 0440
  - name: tmp
    emptyDir: {}
{{- end -}}

{{/* Container-level parts shared by every app: (dict "root" $ "app" "ingest" "port" 4318). */}}
{{- define "freeride.container" -}}
image: {{ include "freeride.image" . }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.securityContext | nindent 2 }}
ports:
  - name: http
    containerPort: {{ .port }}
startupProbe:
  httpGet: { path: /health/live, port: http }
  periodSeconds: 5
  failureThreshold: 24
livenessProbe:
  httpGet: { path: /health/live, port: http }
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /health/ready, port: http }
  periodSeconds: 5
  failureThreshold: 3
volumeMounts:
  - name: secrets
    mountPath: /run/freeride-secrets
    readOnly: true
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{/* OTLP export of an app's own telemetry to the ingest Service, token from the Secret. */}}
{{- define "freeride.otlpEnv" -}}
{{- if .root.Values.otlp.enabled }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ printf "http://%s:%v" (include "freeride.name" (dict "root" .root "component" "ingest")) .root.Values.ingest.port | quote }}
- name: OTEL_EXPORTER_OTLP_HEADERS_FROM_FILE
  value: {{ printf "/run/freeride-secrets/%s_otlp_headers" .source | quote }}
{{- else }}
- name: OTEL_SDK_DISABLED
  value: "true"
{{- end }}
{{- end -}}

{{/* Extra env from a values map. */}}
{{- define "freeride.extraEnv" -}}
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}

{{/* A ClusterIP Service: (dict "root" $ "component" "ingest" "port" 4318). */}}
{{- define "freeride.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "freeride.name" . }}
  labels:
    {{- include "freeride.labels" .root | nindent 4 }}
    {{- include "freeride.selector" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "freeride.selector" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .port }}
      targetPort: http
{{- end -}}
