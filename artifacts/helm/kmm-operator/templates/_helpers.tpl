{{/*
The chart name: the app.kubernetes.io/name label and the Pods' selector.
*/}}
{{- define "kmm-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of the objects: the release name if it contains the chart name (a release named
kmm-operator gets the kustomize install's names), else <release>-<chart>.
*/}}
{{- define "kmm-operator.fullname" -}}
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

{{/*
The selector labels: only app.kubernetes.io/name, as the kustomize install, so that a chart
installed over it does not change the Deployment's immutable selector.
*/}}
{{- define "kmm-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kmm-operator.name" . }}
{{- end }}

{{/*
The labels of every object the chart renders (not the Pod template, whose labels are the
selector labels and podLabels, so a new chart version alone does not roll the Pods). The four
labels besides the selector are Helm's usual ones; test/helm ignores exactly these four when it
compares the chart with the kustomize install.
*/}}
{{- define "kmm-operator.labels" -}}
{{ include "kmm-operator.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The ServiceAccount's name.
*/}}
{{- define "kmm-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kmm-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Lease's name.
*/}}
{{- define "kmm-operator.leaseName" -}}
{{- default (include "kmm-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
The operator image: <repository>@<digest>, or <repository>:<tag> (tag default: appVersion).
*/}}
{{- define "kmm-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The watched namespaces: a list of names, or an empty list for all namespaces (values [] or
["*"]). Returned as JSON, since include returns a string.
*/}}
{{- define "kmm-operator.watchNamespaces" -}}
{{- $list := list }}
{{- range .Values.watchNamespaces }}
{{- if ne . "*" }}
{{- $list = append $list . }}
{{- end }}
{{- end }}
{{- if and (has "*" .Values.watchNamespaces) (gt (len $list) 0) }}
{{- fail (printf "watchNamespaces: \"*\" (all namespaces) cannot be combined with namespace names, got %v" .Values.watchNamespaces) }}
{{- end }}
{{- toJson $list }}
{{- end }}

{{/*
A duration setting as the operator reads it: whole milliseconds (a number, printed without an
exponent) or a duration string (2m), as is.
*/}}
{{- define "kmm-operator.duration" -}}
{{- if kindIs "string" . }}
{{- . }}
{{- else }}
{{- . | int64 }}
{{- end }}
{{- end }}

{{/*
The operator's rules on the KafkaMirrorMakers and the objects it owns: the ClusterRole's in an
all-namespaces install, each watched namespace's Role's otherwise. Keep in step with
artifacts/install/020-ClusterRole-kmm-operator.yaml (test/helm compares them).
*/}}
{{- define "kmm-operator.rules" -}}
# The custom resource it reconciles (watched), and its status (written with update).
- apiGroups: ["kafka.strimzi.io"]
  resources: ["kafkamirrormakers"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["kafka.strimzi.io"]
  resources: ["kafkamirrormakers/status"]
  verbs: ["patch", "update"]
# The objects it owns: watched (label-scoped), read, and written with server-side apply (patch;
# create when the object does not exist yet). Deletion is left to the garbage collector through
# the owner references, so no delete.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["serviceaccounts", "configmaps"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Secrets are only read: TLS certificates and passwords the resources reference, for the auth
# hash. The watch is metadata-only; contents are read with get when they change.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
# Events about the resources.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/*
A map as Strimzi's key=value list: sorted, comma-separated.
*/}}
{{- define "kmm-operator.keyValues" -}}
{{- $pairs := list }}
{{- range $k, $v := . }}
{{- $pairs = append $pairs (printf "%s=%v" $k $v) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}

{{/*
A monitoring object of files/monitoring, the chart's exact copy of artifacts/monitoring (Helm
cannot read files outside the chart; hack/sync-chart-monitoring.sh refreshes the copy and
test/helm fails when it is stale), parsed and returned as JSON. Fails when the file is missing
or does not parse, and when it has fields the templates would not carry over: top-level fields
other than apiVersion, kind, metadata and spec, or metadata other than name, namespace and
labels. Argument: dict "ctx" $ "path" "files/monitoring/<file>".
*/}}
{{- define "kmm-operator.monitoringFile" -}}
{{- $text := .ctx.Files.Get .path }}
{{- if not $text }}
{{- fail (printf "%s is missing from the chart: run hack/sync-chart-monitoring.sh" .path) }}
{{- end }}
{{- $obj := fromYaml $text }}
{{- if hasKey $obj "Error" }}
{{- fail (printf "%s: %s" .path $obj.Error) }}
{{- end }}
{{- range $k, $_ := $obj }}
{{- if not (has $k (list "apiVersion" "kind" "metadata" "spec")) }}
{{- fail (printf "%s: the chart's monitoring templates do not carry over its field %s" $.path $k) }}
{{- end }}
{{- end }}
{{- range $k, $_ := $obj.metadata }}
{{- if not (has $k (list "name" "namespace" "labels")) }}
{{- fail (printf "%s: the chart's monitoring templates do not carry over its field metadata.%s" $.path $k) }}
{{- end }}
{{- end }}
{{- toJson $obj }}
{{- end }}

{{/*
The name of a monitoring object that artifacts/monitoring names <name> (not after the chart):
<name> itself for a release named after the chart (the names of `kubectl apply -k
artifacts/monitoring`), else prefixed like the other objects, so that two releases do not
collide: <release>-<name> (release mirrors: mirrors-kafka-mirror-maker), or
<fullnameOverride>-<name>. Argument: dict "ctx" $ "name" <name>.
*/}}
{{- define "kmm-operator.monitoringName" -}}
{{- $fullname := include "kmm-operator.fullname" .ctx }}
{{- $chartName := include "kmm-operator.name" .ctx }}
{{- if eq $fullname $chartName }}
{{- .name }}
{{- else }}
{{- printf "%s-%s" (trimSuffix (printf "-%s" $chartName) $fullname) .name }}
{{- end }}
{{- end }}

{{/*
The labels of a monitoring object: the chart's labels, the extra labels of the value named
extraName (which may not change the chart's), and the labels of the artifacts/monitoring object
(obj.metadata.labels), in this order of precedence. Returned as YAML. Argument: dict "ctx" $
"obj" <parsed object> "extra" <map or nil> "extraName" <the value's name>.
*/}}
{{- define "kmm-operator.monitoringLabels" -}}
{{- $labels := include "kmm-operator.labels" .ctx | fromYaml }}
{{- range $k, $_ := .extra }}
{{- if hasKey $labels $k }}
{{- fail (printf "%s: %s is one of the chart's own labels; it cannot be set" $.extraName $k) }}
{{- end }}
{{- end }}
{{- $labels = merge $labels (.extra | default (dict)) (dig "metadata" "labels" (dict) .obj) }}
{{- toYaml $labels }}
{{- end }}
