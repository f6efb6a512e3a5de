/*
Copyright The kmm-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// Paths, names and defaults of the MirrorMaker container, as the Strimzi Kafka image expects them.
const (
	runScript          = "/opt/kafka/kafka_mirror_maker_run.sh"
	livenessScript     = "/opt/kafka/kafka_mirror_maker_liveness.sh"
	readyFile          = "/tmp/mirror-maker-ready"
	tmpVolumeName      = "strimzi-tmp"
	tmpMountPath       = "/tmp"
	tmpDefaultSize     = "5Mi"
	configVolumeName   = "kafka-metrics-and-logging"
	configMountPath    = "/opt/kafka/custom-config/"
	metricsPortName    = "tcp-prometheus"
	metricsPort        = 9404
	defaultGracePeriod = 30
	defaultScheduler   = "default-scheduler"
	defaultProbePeriod = 10
	dynamicHeapPercent = 75
	defaultHeapXms     = "128M"

	modeSecretVolume          int32 = 0o444
	modeSecretVolumeOpenShift int32 = 0o440
)

// clientSide describes the consumer or the producer side of the container.
type clientSide struct {
	envSuffix       string
	tls             *v1beta2.ClientTLS
	auth            *v1beta2.KafkaClientAuthentication
	certsPath       string
	passwordPath    string
	oauthCertsPath  string
	oauthNamePrefix string
}

func (m *MirrorMaker) consumerSide() clientSide {
	return clientSide{
		envSuffix:       "CONSUMER",
		tls:             m.spec.Consumer.TLS,
		auth:            m.spec.Consumer.Authentication,
		certsPath:       "/opt/kafka/consumer-certs/",
		passwordPath:    "/opt/kafka/consumer-password/",
		oauthCertsPath:  "/opt/kafka/consumer-oauth-certs/",
		oauthNamePrefix: "consumer-oauth-certs",
	}
}

func (m *MirrorMaker) producerSide() clientSide {
	return clientSide{
		envSuffix:       "PRODUCER",
		tls:             m.spec.Producer.TLS,
		auth:            m.spec.Producer.Authentication,
		certsPath:       "/opt/kafka/producer-certs/",
		passwordPath:    "/opt/kafka/producer-password/",
		oauthCertsPath:  "/opt/kafka/producer-oauth-certs/",
		oauthNamePrefix: "producer-oauth-certs",
	}
}

func (s clientSide) trustedCertificates() []v1beta2.CertSecretSource {
	if s.tls == nil {
		return nil
	}
	return s.tls.TrustedCertificates
}

// Deployment renders the Deployment "<name>-mirror-maker". podAnnotations are the hash annotations
// (strimzi.io/logging-hash and strimzi.io/auth-hash); the Pod template annotations of the resource
// are merged over them. Invalid consumer or producer configuration values and invalid template
// metadata are reported here, as Strimzi reported them when generating the Deployment.
func (m *MirrorMaker) Deployment(podAnnotations map[string]string) (*appsv1.Deployment, error) {
	tpl := m.spec.Template
	var tplDeployment *v1beta2.DeploymentTemplate
	var tplPod *v1beta2.PodTemplate
	if tpl != nil {
		tplDeployment = tpl.Deployment
		tplPod = tpl.Pod
	}

	container, err := m.container()
	if err != nil {
		return nil, err
	}
	volumes, err := m.volumes(tplPod)
	if err != nil {
		return nil, err
	}

	var tplPodMeta *v1beta2.MetadataTemplate
	if tplPod != nil {
		tplPodMeta = tplPod.Metadata
	}
	podLabelsExtra, err := mergeUserMetadata(m.settings.CustomPodLabels, metadataLabels(tplPodMeta))
	if err != nil {
		return nil, err
	}
	podLabels, err := withLabels(m.labels, podLabelsExtra)
	if err != nil {
		return nil, err
	}
	podAnn, err := mergeUserMetadata(podAnnotations, metadataAnnotations(tplPodMeta))
	if err != nil {
		return nil, err
	}

	var tplDeploymentMeta *v1beta2.MetadataTemplate
	if tplDeployment != nil {
		tplDeploymentMeta = tplDeployment.Metadata
	}
	labels, err := withLabels(m.labels, metadataLabels(tplDeploymentMeta))
	if err != nil {
		return nil, err
	}
	annotations, err := mergeUserMetadata(nil, metadataAnnotations(tplDeploymentMeta))
	if err != nil {
		return nil, err
	}

	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: m.objectMeta(m.ComponentName(), labels, annotations),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(m.spec.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: m.SelectorLabels()},
			Strategy: deploymentStrategy(tplDeployment),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: podAnn},
				Spec:       m.podSpec(tplPod, container, volumes),
			},
		},
	}, nil
}

func metadataLabels(t *v1beta2.MetadataTemplate) map[string]string {
	if t == nil {
		return nil
	}
	return t.Labels
}

func metadataAnnotations(t *v1beta2.MetadataTemplate) map[string]string {
	if t == nil {
		return nil
	}
	return t.Annotations
}

func deploymentStrategy(t *v1beta2.DeploymentTemplate) appsv1.DeploymentStrategy {
	if t != nil && t.DeploymentStrategy != nil && *t.DeploymentStrategy == v1beta2.DeploymentStrategyRecreate {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	return appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxSurge:       ptr.To(intstr.FromInt32(1)),
			MaxUnavailable: ptr.To(intstr.FromInt32(0)),
		},
	}
}

func (m *MirrorMaker) podSpec(t *v1beta2.PodTemplate, container corev1.Container, volumes []corev1.Volume) corev1.PodSpec {
	spec := corev1.PodSpec{
		ServiceAccountName:            m.ComponentName(),
		Containers:                    []corev1.Container{container},
		Volumes:                       volumes,
		TerminationGracePeriodSeconds: ptr.To(int64(defaultGracePeriod)),
		SchedulerName:                 defaultScheduler,
		ImagePullSecrets:              cloneSlice(m.settings.ImagePullSecrets),
	}
	if t == nil {
		return spec
	}
	spec.EnableServiceLinks = cloneBool(t.EnableServiceLinks)
	spec.Affinity = t.Affinity.DeepCopy()
	for i := range t.Tolerations {
		spec.Tolerations = append(spec.Tolerations, *t.Tolerations[i].DeepCopy())
	}
	for i := range t.TopologySpreadConstraints {
		spec.TopologySpreadConstraints = append(spec.TopologySpreadConstraints, *t.TopologySpreadConstraints[i].DeepCopy())
	}
	if t.TerminationGracePeriodSeconds != nil {
		spec.TerminationGracePeriodSeconds = ptr.To(*t.TerminationGracePeriodSeconds)
	}
	if t.ImagePullSecrets != nil {
		spec.ImagePullSecrets = cloneSlice(t.ImagePullSecrets)
	}
	spec.SecurityContext = t.SecurityContext.DeepCopy()
	if t.PriorityClassName != nil {
		spec.PriorityClassName = *t.PriorityClassName
	}
	if t.SchedulerName != nil {
		spec.SchedulerName = *t.SchedulerName
	}
	for i := range t.HostAliases {
		spec.HostAliases = append(spec.HostAliases, *t.HostAliases[i].DeepCopy())
	}
	return spec
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	return ptr.To(*b)
}

func (m *MirrorMaker) container() (corev1.Container, error) {
	env, err := m.env()
	if err != nil {
		return corev1.Container{}, err
	}
	c := corev1.Container{
		Name:            m.ComponentName(),
		Image:           m.image,
		Args:            []string{runScript},
		Env:             env,
		VolumeMounts:    m.volumeMounts(),
		LivenessProbe:   execProbe(m.liveness, livenessScript),
		ReadinessProbe:  execProbe(m.readiness, "test", "-f", readyFile),
		ImagePullPolicy: m.imagePullPolicy(),
		SecurityContext: m.containerSecurityContext(),
	}
	if m.spec.Resources != nil {
		c.Resources = *m.spec.Resources.DeepCopy()
	}
	if m.metricsEnabled {
		c.Ports = []corev1.ContainerPort{{Name: metricsPortName, ContainerPort: metricsPort, Protocol: corev1.ProtocolTCP}}
	}
	return c, nil
}

func (m *MirrorMaker) imagePullPolicy() corev1.PullPolicy {
	if m.settings.ImagePullPolicy != "" {
		return m.settings.ImagePullPolicy
	}
	if strings.Contains(strings.ToLower(m.image), ":latest") {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}

func (m *MirrorMaker) containerSecurityContext() *corev1.SecurityContext {
	if t := m.spec.Template; t != nil && t.MirrorMakerContainer != nil && t.MirrorMakerContainer.SecurityContext != nil {
		return t.MirrorMakerContainer.SecurityContext.DeepCopy()
	}
	if m.settings.SecurityProfile != SecurityProfileRestricted {
		return nil
	}
	return &corev1.SecurityContext{
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		RunAsNonRoot:             ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func execProbe(o probeOptions, command ...string) *corev1.Probe {
	p := &corev1.Probe{
		ProbeHandler:   corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: command}},
		TimeoutSeconds: o.timeout,
	}
	if o.initialDelay > 0 {
		p.InitialDelaySeconds = o.initialDelay
	}
	if o.period != nil {
		p.PeriodSeconds = *o.period
	}
	if o.success != nil {
		p.SuccessThreshold = *o.success
	}
	if o.failure != nil {
		p.FailureThreshold = *o.failure
	}
	return p
}

// env builds the container environment in Strimzi's order (spec §3.6).
func (m *MirrorMaker) env() ([]corev1.EnvVar, error) {
	env, err := m.operatorEnv()
	if err != nil {
		return nil, err
	}
	return m.templateEnv(env, nil), nil
}

// operatorEnv is the environment the operator sets, before the container template's variables.
func (m *MirrorMaker) operatorEnv() ([]corev1.EnvVar, error) {
	spec := m.spec
	var consumerInterceptor, producerInterceptor string
	if spec.Tracing != nil && spec.Tracing.Type == v1beta2.TracingTypeOpenTelemetry {
		consumerInterceptor, producerInterceptor = otelConsumerInterceptor, otelProducerInterceptor
	}
	consumerConfig, err := clientConfiguration(spec.Consumer.Config, consumerForbiddenPrefixes, consumerInterceptor)
	if err != nil {
		return nil, err
	}
	producerConfig, err := clientConfiguration(spec.Producer.Config, producerForbiddenPrefixes, producerInterceptor)
	if err != nil {
		return nil, err
	}

	env := make([]corev1.EnvVar, 0, 32)
	env = append(env,
		envVar("KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", consumerConfig),
		envVar("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", producerConfig),
		envVar("KAFKA_MIRRORMAKER_METRICS_ENABLED", strconv.FormatBool(m.metricsEnabled)),
		envVar("KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", spec.Consumer.BootstrapServers),
		envVar("KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", spec.Producer.BootstrapServers),
		envVar("KAFKA_MIRRORMAKER_INCLUDE", m.include),
		envVar("KAFKA_MIRRORMAKER_GROUPID_CONSUMER", spec.Consumer.GroupID))
	if v := spec.Consumer.NumStreams; v != nil {
		env = append(env, envVar("KAFKA_MIRRORMAKER_NUMSTREAMS", strconv.Itoa(int(*v))))
	}
	if v := spec.Consumer.OffsetCommitInterval; v != nil {
		env = append(env, envVar("KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", strconv.Itoa(int(*v))))
	}
	if v := spec.Producer.AbortOnSendFailure; v != nil {
		env = append(env, envVar("KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", strconv.FormatBool(*v)))
	}
	gcLogging := spec.JvmOptions != nil && spec.JvmOptions.GcLoggingEnabled != nil && *spec.JvmOptions.GcLoggingEnabled
	env = append(env, envVar("STRIMZI_KAFKA_GC_LOG_ENABLED", strconv.FormatBool(gcLogging)))
	if spec.Tracing != nil {
		env = append(env, envVar("STRIMZI_TRACING", spec.Tracing.Type))
	}
	env = heapOptions(env, spec.JvmOptions, spec.Resources)
	env = jvmPerformanceOptions(env, spec.JvmOptions)
	env = jvmSystemProperties(env, spec.JvmOptions)

	for _, side := range []clientSide{m.consumerSide(), m.producerSide()} {
		if side.tls != nil {
			env = append(env, envVar("KAFKA_MIRRORMAKER_TLS_"+side.envSuffix, "true"))
			if len(side.tls.TrustedCertificates) > 0 {
				v, err := trustedCertsValue(side.tls.TrustedCertificates)
				if err != nil {
					return nil, err
				}
				env = append(env, envVar("KAFKA_MIRRORMAKER_TRUSTED_CERTS_"+side.envSuffix, v))
			}
		}
		if env, err = authenticationEnv(env, side.auth, side.envSuffix); err != nil {
			return nil, err
		}
	}

	env = append(env,
		envVar("STRIMZI_LIVENESS_PERIOD", strconv.Itoa(int(periodOrDefault(m.liveness)))),
		envVar("STRIMZI_READINESS_PERIOD", strconv.Itoa(int(periodOrDefault(m.readiness)))))
	for _, e := range m.settings.ProxyEnv {
		env = append(env, *e.DeepCopy())
	}
	return env, nil
}

func periodOrDefault(o probeOptions) int32 {
	if o.period != nil {
		return *o.period
	}
	return defaultProbePeriod
}

// templateEnv appends the container template variables whose names the operator does not set.
// Each ignored variable is reported to notice, when it is not nil.
func (m *MirrorMaker) templateEnv(env []corev1.EnvVar, notice func(string)) []corev1.EnvVar {
	if notice == nil {
		notice = func(string) {}
	}
	t := m.spec.Template
	if t == nil || t.MirrorMakerContainer == nil || len(t.MirrorMakerContainer.Env) == 0 {
		return env
	}
	predefined := make(map[string]bool, len(env))
	for _, e := range env {
		predefined[e.Name] = true
	}
	for _, e := range t.MirrorMakerContainer.Env {
		name := deref(e.Name)
		if predefined[name] {
			notice(fmt.Sprintf("User defined container template environment variable %s is already in use and will be ignored", name))
			continue
		}
		switch {
		case e.Value != nil:
			env = append(env, envVar(name, *e.Value))
		case e.ValueFrom != nil:
			env = append(env, corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
				SecretKeyRef:    e.ValueFrom.SecretKeyRef.DeepCopy(),
				ConfigMapKeyRef: e.ValueFrom.ConfigMapKeyRef.DeepCopy(),
			}})
		default:
			notice(fmt.Sprintf("User defined container template environment variable %s doesn't have any value defined and will be ignored", name))
		}
	}
	return env
}

// heapOptions appends STRIMZI_DYNAMIC_HEAP_PERCENTAGE and KAFKA_HEAP_OPTS as Strimzi's
// JvmOptionUtils.heapOptions does: explicit heap options win; otherwise a memory request or limit
// lets the image size the heap dynamically, and without either the heap starts at 128M.
func heapOptions(env []corev1.EnvVar, jvm *v1beta2.JvmOptions, res *corev1.ResourceRequirements) []corev1.EnvVar {
	var xms, xmx *string
	var xx map[string]string
	if jvm != nil {
		xms, xmx, xx = jvm.Xms, jvm.Xmx, jvm.XX
	}
	var opts strings.Builder
	if xms != nil {
		opts.WriteString("-Xms" + *xms)
	}
	if xmx != nil {
		opts.WriteString(" -Xmx" + *xmx)
	}
	initial, hasInitial := xx["InitialRAMPercentage"]
	if hasInitial {
		opts.WriteString(" -XX:InitialRAMPercentage=" + initial)
	}
	maximum, hasMax := xx["MaxRAMPercentage"]
	if hasMax {
		opts.WriteString(" -XX:MaxRAMPercentage=" + maximum)
	}
	if xmx == nil && !hasMax {
		if hasMemory(res) {
			env = append(env, envVar("STRIMZI_DYNAMIC_HEAP_PERCENTAGE", strconv.Itoa(dynamicHeapPercent)))
		} else if xms == nil && !hasInitial {
			opts.WriteString(" -Xms" + defaultHeapXms)
		}
	}
	if s := strings.TrimSpace(opts.String()); s != "" {
		env = append(env, envVar("KAFKA_HEAP_OPTS", s))
	}
	return env
}

func hasMemory(res *corev1.ResourceRequirements) bool {
	if res == nil {
		return false
	}
	_, req := res.Requests[corev1.ResourceMemory]
	_, lim := res.Limits[corev1.ResourceMemory]
	return req || lim
}

// jvmPerformanceOptions appends KAFKA_JVM_PERFORMANCE_OPTS from the -XX options other than the
// RAM percentages, the unlock options first since the JVM needs them before the options they
// unlock.
func jvmPerformanceOptions(env []corev1.EnvVar, jvm *v1beta2.JvmOptions) []corev1.EnvVar {
	if jvm == nil || len(jvm.XX) == 0 {
		return env
	}
	var keys []string
	for k := range jvm.XX {
		if k != "InitialRAMPercentage" && k != "MaxRAMPercentage" {
			keys = append(keys, k)
		}
	}
	unlock := func(k string) bool { return k == "UnlockDiagnosticVMOptions" || k == "UnlockExperimentalVMOptions" }
	sort.Slice(keys, func(i, j int) bool {
		if ui, uj := unlock(keys[i]), unlock(keys[j]); ui != uj {
			return ui
		}
		return keys[i] < keys[j]
	})
	opts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := jvm.XX[k]
		switch {
		case strings.EqualFold(v, "true"):
			opts = append(opts, "-XX:+"+k)
		case strings.EqualFold(v, "false"):
			opts = append(opts, "-XX:-"+k)
		default:
			opts = append(opts, "-XX:"+k+"="+v)
		}
	}
	if len(opts) > 0 {
		env = append(env, envVar("KAFKA_JVM_PERFORMANCE_OPTS", strings.Join(opts, " ")))
	}
	return env
}

func jvmSystemProperties(env []corev1.EnvVar, jvm *v1beta2.JvmOptions) []corev1.EnvVar {
	if jvm == nil || len(jvm.JavaSystemProperties) == 0 {
		return env
	}
	props := make([]string, 0, len(jvm.JavaSystemProperties))
	for _, p := range jvm.JavaSystemProperties {
		props = append(props, "-D"+javaString(p.Name)+"="+javaString(p.Value))
	}
	return append(env, envVar("STRIMZI_JAVA_SYSTEM_PROPERTIES", strings.Join(props, " ")))
}

// javaString is what Java's string concatenation prints for a possibly null String.
func javaString(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// volumes returns the Pod volumes: the /tmp emptyDir, the metrics-and-logging ConfigMap, then per
// side (producer first) the trusted certificate and authentication Secrets. Names are compared
// before sanitising, as in Strimzi.
func (m *MirrorMaker) volumes(t *v1beta2.PodTemplate) ([]corev1.Volume, error) {
	tmp := corev1.Volume{Name: tmpVolumeName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}
	size := tmpDefaultSize
	if t != nil && t.TmpDirSizeLimit != nil {
		size = *t.TmpDirSizeLimit
	}
	if size != "" {
		q, err := resource.ParseQuantity(size)
		if err != nil {
			return nil, invalidResource("Invalid tmpDirSizeLimit %q: %v", size, err)
		}
		tmp.EmptyDir.SizeLimit = &q
	}
	volumes := make([]corev1.Volume, 0, 8)
	volumes = append(volumes, tmp, corev1.Volume{Name: configVolumeName, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: m.ConfigMapName()},
	}}})
	mode := modeSecretVolume
	if m.settings.OpenShift {
		mode = modeSecretVolumeOpenShift
	}
	secretVolume := func(name, secret string) corev1.Volume {
		return corev1.Volume{Name: validVolumeName(name), VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: secret, DefaultMode: ptr.To(mode),
		}}}
	}
	addUnique := func(name, secret string) {
		for _, v := range volumes {
			if v.Name == name {
				return
			}
		}
		volumes = append(volumes, secretVolume(name, secret))
	}
	for _, side := range []clientSide{m.producerSide(), m.consumerSide()} {
		for _, c := range side.trustedCertificates() {
			addUnique(c.SecretName, c.SecretName)
		}
		a := side.auth
		if a == nil {
			continue
		}
		switch a.Type {
		case v1beta2.AuthenticationTypeTLS:
			if a.CertificateAndKey != nil {
				addUnique(a.CertificateAndKey.SecretName, a.CertificateAndKey.SecretName)
			}
		case v1beta2.AuthenticationTypePlain, v1beta2.AuthenticationTypeScramSha256, v1beta2.AuthenticationTypeScramSha512:
			if a.PasswordSecret != nil {
				addUnique(a.PasswordSecret.SecretName, a.PasswordSecret.SecretName)
			}
		case v1beta2.AuthenticationTypeOAuth:
			seen := map[string]bool{}
			for _, c := range a.TLSTrustedCertificates {
				name := side.oauthNamePrefix + "-" + c.SecretName
				if !seen[name] {
					seen[name] = true
					volumes = append(volumes, secretVolume(name, c.SecretName))
				}
			}
		}
	}
	return volumes, nil
}

// volumeMounts returns the container mounts matching volumes. Trusted certificates and client
// certificates are not mounted twice under one volume name, so a Secret trusted by both sides is
// mounted for the producer only; password Secrets are mounted per side.
func (m *MirrorMaker) volumeMounts() []corev1.VolumeMount {
	mounts := make([]corev1.VolumeMount, 0, 8)
	mounts = append(mounts,
		corev1.VolumeMount{Name: tmpVolumeName, MountPath: tmpMountPath},
		corev1.VolumeMount{Name: configVolumeName, MountPath: configMountPath})
	mount := func(name, path string) {
		mounts = append(mounts, corev1.VolumeMount{Name: validVolumeName(name), MountPath: path})
	}
	addUnique := func(name, path string) {
		for _, vm := range mounts {
			if vm.Name == name {
				return
			}
		}
		mount(name, path)
	}
	for _, side := range []clientSide{m.producerSide(), m.consumerSide()} {
		for _, c := range side.trustedCertificates() {
			addUnique(c.SecretName, side.certsPath+c.SecretName)
		}
		a := side.auth
		if a == nil {
			continue
		}
		switch a.Type {
		case v1beta2.AuthenticationTypeTLS:
			if ck := a.CertificateAndKey; ck != nil {
				addUnique(ck.SecretName, side.certsPath+ck.SecretName)
			}
		case v1beta2.AuthenticationTypePlain, v1beta2.AuthenticationTypeScramSha256, v1beta2.AuthenticationTypeScramSha512:
			if ps := a.PasswordSecret; ps != nil {
				mount(ps.SecretName, side.passwordPath+ps.SecretName)
			}
		case v1beta2.AuthenticationTypeOAuth:
			seen := map[string]bool{}
			for _, c := range a.TLSTrustedCertificates {
				name := side.oauthNamePrefix + "-" + c.SecretName
				if !seen[name] {
					seen[name] = true
					mount(name, side.oauthCertsPath+c.SecretName)
				}
			}
		}
	}
	return mounts
}

// validVolumeName makes a name usable as a volume name as Strimzi's VolumeUtils does: an invalid
// name has '.' and '_' replaced by '-', is cut to 54 characters without trailing '-', and gets the
// first 8 hex digits of the SHA-1 of the original name appended.
func validVolumeName(name string) string {
	if isVolumeName(name) {
		return name
	}
	stub := hashStub(name)
	n := strings.NewReplacer(".", "-", "_", "-").Replace(name)
	i := min(len(n), 54)
	for i > 0 && n[i-1] == '-' {
		i--
	}
	return n[:i] + "-" + stub
}

// isVolumeName reports whether name matches ^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$.
func isVolumeName(name string) bool {
	if len(name) < 2 || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
