{{/* Names and labels, as in prometheus-community's charts. */}}
{{- define "k8sprom.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "k8sprom.fullname" -}}
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

{{- define "k8sprom.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of one component; call with (dict "root" $ "component" "publisher"). */}}
{{- define "k8sprom.selectorLabels" -}}
app.kubernetes.io/name: {{ include "k8sprom.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "k8sprom.labels" -}}
helm.sh/chart: {{ include "k8sprom.chart" .root }}
{{ include "k8sprom.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "k8sprom.name" .root }}
{{- end }}

{{- define "k8sprom.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "k8sprom.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "k8sprom.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "k8sprom.routesConfigMap" -}}
{{- default (printf "%s-routes" (include "k8sprom.fullname" .)) .Values.routes.existingConfigMap }}
{{- end }}

{{- define "k8sprom.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.credentials }}
{{- printf "%s-credentials" (include "k8sprom.fullname" .) }}
{{- end }}
{{- end }}

{{/* metrics.yaml: the shipped catalog, with values' extraMetrics appended. */}}
{{- define "k8sprom.metricsCatalog" -}}
{{- $shipped := .Files.Get "files/routes/metrics.yaml" }}
{{- if .Values.publisher.extraMetrics }}
{{- $catalog := fromYaml $shipped }}
{{- $_ := set $catalog "metrics" (concat $catalog.metrics .Values.publisher.extraMetrics) }}
{{- toYaml $catalog }}
{{- else }}
{{- $shipped }}
{{- end }}
{{- end }}

{{/*
The environment of a container: values' extraEnv first, then the component's settings (call with
(dict "root" $ "env" <dict of variable to value>)), then the settings every container shares. Empty values are left
out, so the application's defaults apply.
*/}}
{{- define "k8sprom.env" -}}
{{- $v := .root.Values }}
{{- $common := dict "MANAGEMENT_PORT" $v.managementPort "JAVA_OPTS" $v.javaOpts }}
{{- range $name, $value := merge (dict) $v.extraEnv .env $common }}
{{- if ne (toString $value) "" }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Contiv exporter's settings, with the component's own (call with (dict "root" $ "env" <dict>)). */}}
{{- define "k8sprom.exporterEnv" -}}
{{- $v := .root.Values }}
{{- $env := merge (dict) .env (dict
  "PUBLISHER_ENABLED" "false"
  "CONTIV_ETCD" $v.contiv.etcd
  "CONTIV_NETMASTER_URL" $v.contiv.netmasterUrl
  "EXPORTER_NAMING" $v.contiv.naming
  "EXPORTER_CALL_TIMEOUT_MS" $v.contiv.callTimeoutMs
  "EXPORTER_METADATA_CACHE_SECONDS" $v.contiv.metadataCacheSeconds) }}
{{- include "k8sprom.env" (dict "root" .root "env" $env) }}
{{- end }}

{{/* The publisher's settings: each value under prometheus, kafka and publisher becomes its environment variable. */}}
{{- define "k8sprom.publisherEnv" -}}
{{- $p := .Values.publisher }}
{{- $env := dict
  "PUBLISHER_ENABLED" "true"
  "PROMETHEUS_URL" .Values.prometheus.url
  "PROMETHEUS_POLLING_STEP" .Values.prometheus.pollingStep
  "PROMETHEUS_CONNECT_TIMEOUT_MS" .Values.prometheus.connectTimeoutMs
  "PROMETHEUS_RESPONSE_TIMEOUT_MS" .Values.prometheus.responseTimeoutMs
  "PROMETHEUS_TRUSTSTORE" .Values.prometheus.truststore
  "KAFKA_BOOTSTRAP_SERVERS" .Values.kafka.bootstrapServers
  "KAFKA_KUBERNETES_TOPIC" .Values.kafka.topic
  "KAFKA_POSITIONS_TOPIC" .Values.kafka.positionsTopic
  "KAFKA_TRANSACTIONAL_ID" .Values.kafka.transactionalId
  "KAFKA_SECURITY_PROTOCOL" .Values.kafka.securityProtocol
  "KAFKA_SASL_MECHANISM" .Values.kafka.saslMechanism
  "KAFKA_SSL_TRUSTSTORE_LOCATION" .Values.kafka.sslTruststoreLocation
  "KAFKA_SSL_TRUSTSTORE_TYPE" .Values.kafka.sslTruststoreType
  "KAFKA_COMPRESSION" .Values.kafka.compression
  "SCHEDULER_SECONDS" $p.schedulerSeconds
  "PUBLISHER_NAMESPACE" $p.namespace
  "PUBLISHER_RATE_RANGE" $p.rateRange
  "PUBLISHER_SAMPLES" $p.samples
  "PUBLISHER_SETTLE_DELAY" $p.settleDelay
  "PUBLISHER_START_FROM" $p.startFrom
  "PUBLISHER_MAX_LOOKBACK" $p.maxLookback
  "PUBLISHER_QUERY_CONCURRENCY" $p.queryConcurrency
  "PUBLISHER_MAX_READY_LAG" $p.maxReadyLag
  "DEBUG" (ternary "1" "0" $p.debug)
}}
{{- if .Values.prometheus.useServiceAccountToken }}
{{- $_ := set $env "PROMETHEUS_BEARER_TOKEN_FILE" "/var/run/secrets/kubernetes.io/serviceaccount/token" }}
{{- end }}
{{- include "k8sprom.env" (dict "root" . "env" $env) }}
{{- end }}

{{/* The pod-level settings every workload of the chart shares; call with (dict "root" $ "groups" <list or nil>). */}}
{{- define "k8sprom.podSecurity" -}}
{{- $context := deepCopy .root.Values.podSecurityContext }}
{{- with .groups }}
{{- $_ := set $context "supplementalGroups" . }}
{{- end }}
securityContext:
  {{- toYaml $context | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}

{{/* Volumes every container of the chart mounts: the routes, a writable /tmp, the user's extra volumes. */}}
{{- define "k8sprom.volumes" -}}
- name: routes
  configMap:
    name: {{ include "k8sprom.routesConfigMap" . }}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "k8sprom.volumeMounts" -}}
- name: routes
  mountPath: /app/routes
  readOnly: true
# the JVM (perf data) and Vert.x (file cache) write under java.io.tmpdir; the root file system is read-only
- name: tmp
  mountPath: /tmp
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "k8sprom.secretEnvFrom" -}}
{{- with include "k8sprom.secretName" . }}
envFrom:
  - secretRef:
      name: {{ . }}
{{- end }}
{{- end }}

{{/* Rolls the pods when the routes or the chart's Secret change. */}}
{{- define "k8sprom.checksums" -}}
checksum/routes: {{ include "k8sprom.metricsCatalog" . | cat (.Files.Glob "files/routes/*.camel.yaml").AsConfig | sha256sum }}
{{- if .Values.credentials }}
checksum/credentials: {{ toJson .Values.credentials | sha256sum }}
{{- end }}
{{- end }}

{{/* The scrape targets of the enabled components: component, port name and metrics path. */}}
{{- define "k8sprom.scrapeTargets" -}}
{{- $targets := list }}
{{- if .Values.publisher.enabled }}
{{- $targets = append $targets (dict "component" "publisher" "port" "management" "path" "/observe/metrics") }}
{{- end }}
{{- if .Values.exporter.netplugin.enabled }}
{{- $targets = append $targets (dict "component" "exporter-netplugin" "port" "metrics" "path" "/metrics") }}
{{- end }}
{{- if .Values.exporter.netmaster.enabled }}
{{- $targets = append $targets (dict "component" "exporter-netmaster" "port" "metrics" "path" "/metrics") }}
{{- end }}
{{- toJson $targets }}
{{- end }}
