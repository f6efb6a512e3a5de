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
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// Names and values shared by every generated object.
const (
	// Kind is the kind of the custom resource.
	Kind = "KafkaMirrorMaker"
	// APIVersion is the apiVersion of the custom resource and of the owner references.
	APIVersion = "kafka.strimzi.io/v1beta2"
	// ComponentType is the value of the strimzi.io/component-type and app.kubernetes.io/name labels.
	ComponentType = "kafka-mirror-maker"
	// ManagedBy is the value of the app.kubernetes.io/managed-by label.
	ManagedBy = "strimzi-cluster-operator"

	componentSuffix = "-mirror-maker"
	configMapSuffix = "-mirror-maker-config"
)

// Label and annotation keys.
const (
	LabelKind            = "strimzi.io/kind"
	LabelName            = "strimzi.io/name"
	LabelCluster         = "strimzi.io/cluster"
	LabelComponentType   = "strimzi.io/component-type"
	LabelKubernetesName  = "app.kubernetes.io/name"
	LabelInstance        = "app.kubernetes.io/instance"
	LabelPartOf          = "app.kubernetes.io/part-of"
	LabelManagedBy       = "app.kubernetes.io/managed-by"
	AnnotationLogging    = "strimzi.io/logging-hash"
	AnnotationAuthHash   = "strimzi.io/auth-hash"
	strimziDomain        = "strimzi.io/"
	kubernetesDomain     = "app.kubernetes.io/"
	deprecationReason    = "MirrorMaker1Deprecation"
	deprecationMessage   = "MirrorMaker 1 is deprecated and will be removed in the next Strimzi release (0.46.0). Please migrate to MirrorMaker 2."
	warningFieldsReason  = "DeprecatedFields"
	warningObjectsReason = "DeprecatedObjects"
)

// SecretGetter reads Secrets of the resource's namespace. A missing Secret is reported with an
// error for which apierrors.IsNotFound is true. A SecretNamespaceLister satisfies it.
type SecretGetter interface {
	Get(name string) (*corev1.Secret, error)
}

// ConfigMapGetter reads ConfigMaps of the resource's namespace. A missing ConfigMap is reported
// with an error for which apierrors.IsNotFound is true. A ConfigMapNamespaceLister satisfies it.
type ConfigMapGetter interface {
	Get(name string) (*corev1.ConfigMap, error)
}

// Warning is a Warning condition of the resource status (reason and message).
type Warning struct {
	Reason  string
	Message string
}

// DeprecationWarning is the Warning condition Strimzi 0.45 adds to the status after every
// reconciliation that got past building the model, successful or not.
func DeprecationWarning() Warning {
	return Warning{Reason: deprecationReason, Message: deprecationMessage}
}

// probeOptions are the timings of a liveness or readiness probe.
type probeOptions struct {
	initialDelay int32
	timeout      int32
	period       *int32
	success      *int32
	failure      *int32
}

// MirrorMaker is the validated model of one KafkaMirrorMaker resource, from which the objects are
// rendered. It holds a private copy of the resource; it is safe for concurrent reads.
type MirrorMaker struct {
	cr       *v1beta2.KafkaMirrorMaker
	spec     *v1beta2.KafkaMirrorMakerSpec
	settings Settings

	labels   map[string]string
	include  string
	image    string
	warnings []Warning

	metricsEnabled   bool
	metricsConfigMap string
	metricsKey       string

	liveness  probeOptions
	readiness probeOptions
}

// FromCRD validates the resource and builds its model, as Strimzi's KafkaMirrorMakerCluster.fromCrd
// does. Failures are *Error values whose Reason and Message belong in the NotReady condition.
func FromCRD(kmm *v1beta2.KafkaMirrorMaker, s Settings) (*MirrorMaker, error) {
	if kmm == nil {
		return nil, invalidResource("Resource cannot be null")
	}
	if kmm.Spec == nil {
		return nil, invalidResource("Spec cannot be null")
	}
	s = s.withDefaults()
	cr := kmm.DeepCopy()
	spec := cr.Spec
	m := &MirrorMaker{cr: cr, spec: spec, settings: s, warnings: ValidationWarnings(cr)}

	labels, err := modelLabels(cr.Name, cr.Labels, s.LabelsExclusion)
	if err != nil {
		return nil, err
	}
	m.labels = labels

	switch {
	case spec.Include != nil:
		m.include = *spec.Include
	case spec.Whitelist != nil:
		m.include = *spec.Whitelist
	default:
		return nil, invalidResource("One of the fields include or whitelist needs to be specified.")
	}

	if spec.Producer == nil {
		return nil, invalidResource("spec.producer is required")
	}
	if spec.Consumer == nil {
		return nil, invalidResource("spec.consumer is required")
	}
	if err := validateAuthentication(spec.Producer.Authentication); err != nil {
		return nil, err
	}
	if err := validateAuthentication(spec.Consumer.Authentication); err != nil {
		return nil, err
	}

	image, err := resolveImage(spec, s)
	if err != nil {
		return nil, err
	}
	m.image = image

	m.liveness = probeFrom(spec.LivenessProbe)
	m.readiness = probeFrom(spec.ReadinessProbe)

	if err := m.validateMetrics(); err != nil {
		return nil, err
	}
	if err := validateLogging(spec.Logging); err != nil {
		return nil, err
	}
	if err := validateEnums(spec); err != nil {
		return nil, err
	}
	return m, nil
}

// ValidationWarnings returns the Warning conditions Strimzi's validation visitor adds to every
// status of the resource, in discovery order: the deprecated whitelist field, then the deprecated
// jaeger tracing object. They apply even when FromCRD fails.
func ValidationWarnings(kmm *v1beta2.KafkaMirrorMaker) []Warning {
	if kmm == nil || kmm.Spec == nil {
		return nil
	}
	apiVersion := kmm.APIVersion
	if apiVersion == "" {
		apiVersion = APIVersion
	}
	prefix := "In resource " + Kind + "(" + kmm.Namespace + "/" + kmm.Name + ") in API version " + apiVersion
	var out []Warning
	if kmm.Spec.Whitelist != nil {
		out = append(out, Warning{
			Reason:  warningFieldsReason,
			Message: prefix + " the whitelist property at path spec.whitelist has been deprecated, and should now be configured using spec.include.",
		})
	}
	if kmm.Spec.Tracing != nil && kmm.Spec.Tracing.Type == v1beta2.TracingTypeJaeger {
		out = append(out, Warning{
			Reason:  warningObjectsReason,
			Message: prefix + " the object tracing at path spec.tracing has been deprecated. This object has been replaced with void.",
		})
	}
	return out
}

// modelLabels returns the labels of every generated object: the resource labels not matching the
// exclusion pattern, overridden by the Strimzi and app.kubernetes.io labels.
func modelLabels(name string, crLabels map[string]string, exclusion *LabelPattern) (map[string]string, error) {
	labels := make(map[string]string, len(crLabels)+8)
	for k, v := range crLabels {
		if !exclusion.Matches(k) {
			labels[k] = v
		}
	}
	if err := checkStrimziLabels(labels); err != nil {
		return nil, err
	}
	labels[LabelKind] = Kind
	labels[LabelName] = name + componentSuffix
	labels[LabelCluster] = name
	labels[LabelComponentType] = ComponentType
	labels[LabelKubernetesName] = ComponentType
	labels[LabelInstance] = validInstanceLabelValue(name)
	labels[LabelPartOf] = validInstanceLabelValue("strimzi-" + name)
	labels[LabelManagedBy] = ManagedBy
	return labels, nil
}

// checkStrimziLabels rejects labels in the strimzi.io/ domain other than strimzi.io/cluster...,
// which users may not set on the resource or in templates that feed Strimzi's Labels.
func checkStrimziLabels(labels map[string]string) error {
	for k := range labels {
		if strings.HasPrefix(k, strimziDomain) && !strings.HasPrefix(k, LabelCluster) {
			return newError(ReasonIllegalArgument, "Labels starting with strimzi.io/ are not allowed in Custom Resources, such labels should be removed.")
		}
	}
	return nil
}

// validInstanceLabelValue cuts a name to the 63 characters of a label value and strips trailing
// '.', '-' and '_'.
func validInstanceLabelValue(s string) string {
	i := min(len(s), 63)
	for i > 0 && (s[i-1] == '.' || s[i-1] == '-' || s[i-1] == '_') {
		i--
	}
	return s[:i]
}

// withLabels returns base overridden by extra, rejecting strimzi.io/ keys of extra as Strimzi's
// Labels.withAdditionalLabels does.
func withLabels(base, extra map[string]string) (map[string]string, error) {
	if err := checkStrimziLabels(extra); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out, nil
}

// mergeUserMetadata merges user-provided labels or annotations over base as Strimzi's
// Util.mergeLabelsOrAnnotations does: keys in the strimzi.io/ domain are an error and keys in the
// app.kubernetes.io/ domain are dropped. The result is nil when empty.
func mergeUserMetadata(base map[string]string, user map[string]string) (map[string]string, error) {
	var bad []string
	for _, k := range sortedKeys(user) {
		if strings.HasPrefix(k, strimziDomain) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return nil, invalidResource("User provided labels or annotations includes a Strimzi annotation: %s", javaList(bad))
	}
	out := make(map[string]string, len(base)+len(user))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range user {
		if !strings.HasPrefix(k, kubernetesDomain) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func resolveImage(spec *v1beta2.KafkaMirrorMakerSpec, s Settings) (string, error) {
	if spec.Image != nil {
		return *spec.Image, nil
	}
	version := s.DefaultKafkaVersion
	if spec.Version != nil {
		version = *spec.Version
	}
	if image, ok := s.Images[version]; ok {
		return image, nil
	}
	shown := "null"
	if spec.Version != nil {
		shown = *spec.Version
	}
	return "", invalidResource("Kafka version %s is not supported. Supported versions are: %s.", shown, strings.Join(sortedKeys(s.Images), ", "))
}

func probeFrom(p *v1beta2.Probe) probeOptions {
	if p == nil {
		return probeOptions{initialDelay: 60, timeout: 5}
	}
	o := probeOptions{initialDelay: 15, timeout: 5, period: p.PeriodSeconds, success: p.SuccessThreshold, failure: p.FailureThreshold}
	if p.InitialDelaySeconds != nil {
		o.initialDelay = *p.InitialDelaySeconds
	}
	if p.TimeoutSeconds != nil {
		o.timeout = *p.TimeoutSeconds
	}
	return o
}

func (m *MirrorMaker) validateMetrics() error {
	mc := m.spec.MetricsConfig
	if mc == nil {
		return nil
	}
	if mc.Type != v1beta2.MetricsConfigTypeJmxPrometheusExporter {
		return invalidResource("Unsupported metrics type %s", mc.Type)
	}
	var errs []string
	if mc.ValueFrom == nil || mc.ValueFrom.ConfigMapKeyRef == nil {
		errs = append(errs, "Config Map reference is missing")
	} else {
		if mc.ValueFrom.ConfigMapKeyRef.Name == "" {
			errs = append(errs, "Name of the Config Map with metrics configuration is missing")
		}
		if mc.ValueFrom.ConfigMapKeyRef.Key == "" {
			errs = append(errs, "The key under which the metrics configuration is stored in the ConfigMap is missing")
		}
	}
	if len(errs) > 0 {
		return invalidResource("Metrics configuration is invalid: %s", javaList(errs))
	}
	m.metricsEnabled = true
	m.metricsConfigMap = mc.ValueFrom.ConfigMapKeyRef.Name
	m.metricsKey = mc.ValueFrom.ConfigMapKeyRef.Key
	return nil
}

func validateLogging(l *v1beta2.Logging) error {
	if l == nil {
		return nil
	}
	switch l.Type {
	case v1beta2.LoggingTypeInline:
		return nil
	case v1beta2.LoggingTypeExternal:
	default:
		return invalidResource("Logging type %q is not supported. Supported types are: inline, external.", l.Type)
	}
	var errs []string
	if l.ValueFrom == nil || l.ValueFrom.ConfigMapKeyRef == nil {
		errs = append(errs, "Config Map reference is missing")
	} else {
		if l.ValueFrom.ConfigMapKeyRef.Name == "" {
			errs = append(errs, "Name of the Config Map with logging configuration is missing")
		}
		if l.ValueFrom.ConfigMapKeyRef.Key == "" {
			errs = append(errs, "The key under which the logging configuration is stored in the ConfigMap is missing")
		}
	}
	if len(errs) > 0 {
		return invalidResource("Logging configuration is invalid: %s", javaList(errs))
	}
	return nil
}

// validateEnums rejects enum values outside the CRD schema. The API server already refuses them;
// Strimzi failed to read such a resource at all.
func validateEnums(spec *v1beta2.KafkaMirrorMakerSpec) error {
	if t := spec.Tracing; t != nil && t.Type != v1beta2.TracingTypeJaeger && t.Type != v1beta2.TracingTypeOpenTelemetry {
		return invalidResource("Tracing type %q is not supported. Supported types are: jaeger, opentelemetry.", t.Type)
	}
	if tpl := spec.Template; tpl != nil && tpl.Deployment != nil && tpl.Deployment.DeploymentStrategy != nil {
		switch *tpl.Deployment.DeploymentStrategy {
		case v1beta2.DeploymentStrategyRollingUpdate, v1beta2.DeploymentStrategyRecreate:
		default:
			return invalidResource("Deployment strategy %q is not supported. Supported strategies are: RollingUpdate, Recreate.", *tpl.Deployment.DeploymentStrategy)
		}
	}
	return nil
}

// Name is the name of the resource, Strimzi's cluster name.
func (m *MirrorMaker) Name() string { return m.cr.Name }

// Namespace is the namespace of the resource and of every generated object.
func (m *MirrorMaker) Namespace() string { return m.cr.Namespace }

// ComponentName is the name of the Deployment, PodDisruptionBudget, ServiceAccount and container:
// "<name>-mirror-maker".
func (m *MirrorMaker) ComponentName() string { return m.cr.Name + componentSuffix }

// ConfigMapName is the name of the metrics-and-logging ConfigMap: "<name>-mirror-maker-config".
func (m *MirrorMaker) ConfigMapName() string { return m.cr.Name + configMapSuffix }

// Replicas is spec.replicas.
func (m *MirrorMaker) Replicas() int32 { return m.spec.Replicas }

// Image is the container image: spec.image, else the image of spec.version, else the image of the
// default Kafka version.
func (m *MirrorMaker) Image() string { return m.image }

// Include is the effective topic pattern: spec.include, else the deprecated spec.whitelist.
func (m *MirrorMaker) Include() string { return m.include }

// ConsumerBootstrapServers is spec.consumer.bootstrapServers.
func (m *MirrorMaker) ConsumerBootstrapServers() string { return m.spec.Consumer.BootstrapServers }

// ProducerBootstrapServers is spec.producer.bootstrapServers.
func (m *MirrorMaker) ProducerBootstrapServers() string { return m.spec.Producer.BootstrapServers }

// GroupID is spec.consumer.groupId.
func (m *MirrorMaker) GroupID() string { return m.spec.Consumer.GroupID }

// MetricsEnabled reports whether spec.metricsConfig is set.
func (m *MirrorMaker) MetricsEnabled() bool { return m.metricsEnabled }

// MetricsConfigMap returns the ConfigMap name and key holding the metrics configuration; both are
// empty when metrics are disabled.
func (m *MirrorMaker) MetricsConfigMap() (name, key string) { return m.metricsConfigMap, m.metricsKey }

// ExternalLoggingConfigMap returns the ConfigMap name and key of external logging; ok is false
// unless spec.logging has type external.
func (m *MirrorMaker) ExternalLoggingConfigMap() (name, key string, ok bool) {
	l := m.spec.Logging
	if l == nil || l.Type != v1beta2.LoggingTypeExternal {
		return "", "", false
	}
	return l.ValueFrom.ConfigMapKeyRef.Name, l.ValueFrom.ConfigMapKeyRef.Key, true
}

// Settings returns the operator settings the model was built with, defaults filled in.
func (m *MirrorMaker) Settings() Settings { return m.settings }

// Warnings returns the validation Warning conditions of the resource (see ValidationWarnings).
func (m *MirrorMaker) Warnings() []Warning { return append([]Warning(nil), m.warnings...) }

// Labels returns the labels put on every generated object.
func (m *MirrorMaker) Labels() map[string]string { return copyMap(m.labels) }

// SelectorLabels returns the labels selecting the MirrorMaker Pods.
func (m *MirrorMaker) SelectorLabels() map[string]string {
	return map[string]string{
		LabelCluster: m.cr.Name,
		LabelName:    m.ComponentName(),
		LabelKind:    Kind,
	}
}

// LabelSelector renders the selector labels in the order Strimzi writes status.labelSelector.
func (m *MirrorMaker) LabelSelector() string {
	return LabelCluster + "=" + m.cr.Name + "," + LabelName + "=" + m.ComponentName() + "," + LabelKind + "=" + Kind
}

// OwnerReference is the reference to the resource carried by every generated object; it is
// neither a controller reference nor blocks deletion, as in Strimzi.
func (m *MirrorMaker) OwnerReference() metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion:         APIVersion,
		Kind:               Kind,
		Name:               m.cr.Name,
		UID:                m.cr.UID,
		BlockOwnerDeletion: ptr.To(false),
		Controller:         ptr.To(false),
	}
}

// ReferencedSecrets returns the sorted names of every Secret the resource references: trusted
// certificates, client certificates, passwords, OAuth secrets and OAuth trusted certificates.
// Fields of the authentication object that its type does not use are ignored, as in Strimzi.
func (m *MirrorMaker) ReferencedSecrets() []string {
	set := map[string]struct{}{}
	addCerts := func(certs []v1beta2.CertSecretSource) {
		for _, c := range certs {
			set[c.SecretName] = struct{}{}
		}
	}
	addGeneric := func(g *v1beta2.GenericSecretSource) {
		if g != nil {
			set[g.SecretName] = struct{}{}
		}
	}
	for _, side := range []struct {
		tls  *v1beta2.ClientTLS
		auth *v1beta2.KafkaClientAuthentication
	}{
		{m.spec.Consumer.TLS, m.spec.Consumer.Authentication},
		{m.spec.Producer.TLS, m.spec.Producer.Authentication},
	} {
		if side.tls != nil {
			addCerts(side.tls.TrustedCertificates)
		}
		a := side.auth
		if a == nil {
			continue
		}
		switch a.Type {
		case v1beta2.AuthenticationTypeTLS:
			set[a.CertificateAndKey.SecretName] = struct{}{}
		case v1beta2.AuthenticationTypePlain, v1beta2.AuthenticationTypeScramSha256, v1beta2.AuthenticationTypeScramSha512:
			set[a.PasswordSecret.SecretName] = struct{}{}
		case v1beta2.AuthenticationTypeOAuth:
			if a.PasswordSecret != nil {
				set[a.PasswordSecret.SecretName] = struct{}{}
			}
			addGeneric(a.AccessToken)
			addGeneric(a.ClientSecret)
			addGeneric(a.RefreshToken)
			addGeneric(a.ClientAssertion)
			addCerts(a.TLSTrustedCertificates)
		}
	}
	return sortedSet(set)
}

// ReferencedConfigMaps returns the sorted names of the external logging and metrics ConfigMaps.
func (m *MirrorMaker) ReferencedConfigMaps() []string {
	set := map[string]struct{}{}
	if name, _, ok := m.ExternalLoggingConfigMap(); ok {
		set[name] = struct{}{}
	}
	if m.metricsEnabled {
		set[m.metricsConfigMap] = struct{}{}
	}
	return sortedSet(set)
}

func sortedSet(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// objectMeta is the metadata shared by the generated objects.
func (m *MirrorMaker) objectMeta(name string, labels, annotations map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            name,
		Namespace:       m.cr.Namespace,
		Labels:          labels,
		Annotations:     annotations,
		OwnerReferences: []metav1.OwnerReference{m.OwnerReference()},
	}
}
