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

package v1beta2

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// KafkaMirrorMaker mirrors topics from a source Kafka cluster to a target Kafka cluster with
// Apache Kafka MirrorMaker 1.
type KafkaMirrorMaker struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// The specification of Kafka MirrorMaker.
	Spec *KafkaMirrorMakerSpec `json:"spec,omitempty"`
	// The status of Kafka MirrorMaker.
	Status *KafkaMirrorMakerStatus `json:"status,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// KafkaMirrorMakerList is a list of KafkaMirrorMaker resources.
type KafkaMirrorMakerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []KafkaMirrorMaker `json:"items"`
}

// KafkaMirrorMakerSpec is the specification of Kafka MirrorMaker.
// +kmm:oneOfRequired=include;whitelist
type KafkaMirrorMakerSpec struct {
	// The Kafka MirrorMaker version. Defaults to the latest version. Consult the documentation to understand the process required to upgrade or downgrade the version.
	Version *string `json:"version,omitempty"`
	// The number of pods in the `Deployment`.
	// +kmm:required
	// +kmm:minimum=0
	Replicas int32 `json:"replicas"`
	// The container image used for Kafka MirrorMaker pods. If no image name is explicitly specified, it is determined based on the `spec.version` configuration. The image names are specifically mapped to corresponding versions in the Cluster Operator configuration.
	Image *string `json:"image,omitempty"`
	// Configuration of source cluster.
	// +kmm:required
	Consumer *KafkaMirrorMakerConsumerSpec `json:"consumer,omitempty"`
	// Configuration of target cluster.
	// +kmm:required
	Producer *KafkaMirrorMakerProducerSpec `json:"producer,omitempty"`
	// CPU and memory resources to reserve.
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
	// List of topics which are included for mirroring. This option allows any regular expression using Java-style regular expressions. Mirroring two topics named A and B is achieved by using the expression `A|B`. Or, as a special case, you can mirror all topics using the regular expression `*`. You can also specify multiple regular expressions separated by commas.
	Whitelist *string `json:"whitelist,omitempty"`
	// List of topics which are included for mirroring. This option allows any regular expression using Java-style regular expressions. Mirroring two topics named A and B is achieved by using the expression `A|B`. Or, as a special case, you can mirror all topics using the regular expression `*`. You can also specify multiple regular expressions separated by commas.
	Include *string `json:"include,omitempty"`
	// JVM Options for pods.
	JvmOptions *JvmOptions `json:"jvmOptions,omitempty"`
	// Logging configuration for MirrorMaker.
	Logging *Logging `json:"logging,omitempty"`
	// Metrics configuration.
	MetricsConfig *MetricsConfig `json:"metricsConfig,omitempty"`
	// The configuration of tracing in Kafka MirrorMaker.
	Tracing *Tracing `json:"tracing,omitempty"`
	// Template to specify how Kafka MirrorMaker resources, `Deployments` and `Pods`, are generated.
	Template *KafkaMirrorMakerTemplate `json:"template,omitempty"`
	// Pod liveness checking.
	LivenessProbe *Probe `json:"livenessProbe,omitempty"`
	// Pod readiness checking.
	ReadinessProbe *Probe `json:"readinessProbe,omitempty"`
}

// KafkaMirrorMakerConsumerSpec configures the consumer side: the source cluster.
type KafkaMirrorMakerConsumerSpec struct {
	// Specifies the number of consumer stream threads to create.
	// +kmm:minimum=1
	NumStreams *int32 `json:"numStreams,omitempty"`
	// Specifies the offset auto-commit interval in ms. Default value is 60000.
	OffsetCommitInterval *int32 `json:"offsetCommitInterval,omitempty"`
	// A unique string that identifies the consumer group this consumer belongs to.
	// +kmm:required
	GroupID string `json:"groupId"`
	// A list of host:port pairs for establishing the initial connection to the Kafka cluster.
	// +kmm:required
	BootstrapServers string `json:"bootstrapServers"`
	// Authentication configuration for connecting to the cluster.
	Authentication *KafkaClientAuthentication `json:"authentication,omitempty"`
	// The MirrorMaker consumer config. Properties with the following prefixes cannot be set: ssl., bootstrap.servers, group.id, sasl., security., interceptor.classes (with the exception of: ssl.endpoint.identification.algorithm, ssl.cipher.suites, ssl.protocol, ssl.enabled.protocols).
	// +kmm:preserveUnknownFields
	Config KafkaConfig `json:"config,omitempty"`
	// TLS configuration for connecting MirrorMaker to the cluster.
	TLS *ClientTLS `json:"tls,omitempty"`
}

// KafkaMirrorMakerProducerSpec configures the producer side: the target cluster.
type KafkaMirrorMakerProducerSpec struct {
	// A list of host:port pairs for establishing the initial connection to the Kafka cluster.
	// +kmm:required
	BootstrapServers string `json:"bootstrapServers"`
	// Flag to set the MirrorMaker to exit on a failed send. Default value is `true`.
	AbortOnSendFailure *bool `json:"abortOnSendFailure,omitempty"`
	// Authentication configuration for connecting to the cluster.
	Authentication *KafkaClientAuthentication `json:"authentication,omitempty"`
	// The MirrorMaker producer config. Properties with the following prefixes cannot be set: ssl., bootstrap.servers, sasl., security., interceptor.classes (with the exception of: ssl.endpoint.identification.algorithm, ssl.cipher.suites, ssl.protocol, ssl.enabled.protocols).
	// +kmm:preserveUnknownFields
	Config KafkaConfig `json:"config,omitempty"`
	// TLS configuration for connecting MirrorMaker to the cluster.
	TLS *ClientTLS `json:"tls,omitempty"`
}

// ClientTLS configures TLS trusted certificates for connecting to a Kafka cluster. Its presence
// alone turns TLS on.
type ClientTLS struct {
	// Trusted certificates for TLS connection.
	TrustedCertificates []CertSecretSource `json:"trustedCertificates,omitempty"`
}

// CertSecretSource names certificates in a Secret: one key, or a glob pattern over its keys.
// +kmm:oneOfRequired=certificate;pattern
type CertSecretSource struct {
	// The name of the Secret containing the certificate.
	// +kmm:required
	SecretName string `json:"secretName"`
	// The name of the file certificate in the secret.
	Certificate *string `json:"certificate,omitempty"`
	// Pattern for the certificate files in the secret. Use the link:https://en.wikipedia.org/wiki/Glob_(programming)[_glob syntax_] for the pattern. All files in the secret that match the pattern are used.
	Pattern *string `json:"pattern,omitempty"`
}

// Authentication types accepted in KafkaClientAuthentication.Type.
const (
	AuthenticationTypeTLS         = "tls"
	AuthenticationTypeScramSha256 = "scram-sha-256"
	AuthenticationTypeScramSha512 = "scram-sha-512"
	AuthenticationTypePlain       = "plain"
	AuthenticationTypeOAuth       = "oauth"
)

// KafkaClientAuthentication is the flattened authentication union of Strimzi: the Type selects
// which of the other fields apply. Which combinations are complete is checked by the operator,
// not by the schema.
type KafkaClientAuthentication struct {
	// Authentication type. Currently the supported types are `tls`, `scram-sha-256`, `scram-sha-512`, `plain`, and 'oauth'. `scram-sha-256` and `scram-sha-512` types use SASL SCRAM-SHA-256 and SASL SCRAM-SHA-512 Authentication, respectively. `plain` type uses SASL PLAIN Authentication. `oauth` type uses SASL OAUTHBEARER Authentication. The `tls` type uses TLS Client Authentication. The `tls` type is supported only over TLS connections.
	// +kmm:required
	// +kmm:enum=tls;scram-sha-256;scram-sha-512;plain;oauth
	Type string `json:"type"`
	// Link to Secret containing the access token which was obtained from the authorization server.
	AccessToken *GenericSecretSource `json:"accessToken,omitempty"`
	// Configure whether access token should be treated as JWT. This should be set to `false` if the authorization server returns opaque tokens. Defaults to `true`.
	AccessTokenIsJwt *bool `json:"accessTokenIsJwt,omitempty"`
	// Path to the token file containing an access token to be used for authentication.
	AccessTokenLocation *string `json:"accessTokenLocation,omitempty"`
	// OAuth audience to use when authenticating against the authorization server. Some authorization servers require the audience to be explicitly set. The possible values depend on how the authorization server is configured. By default, `audience` is not specified when performing the token endpoint request.
	Audience *string `json:"audience,omitempty"`
	// Reference to the `Secret` which holds the certificate and private key pair.
	CertificateAndKey *CertAndKeySecretSource `json:"certificateAndKey,omitempty"`
	// Link to Secret containing the client assertion which was manually configured for the client.
	ClientAssertion *GenericSecretSource `json:"clientAssertion,omitempty"`
	// Path to the file containing the client assertion to be used for authentication.
	ClientAssertionLocation *string `json:"clientAssertionLocation,omitempty"`
	// The client assertion type. If not set, and either `clientAssertion` or `clientAssertionLocation` is configured, this value defaults to `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
	ClientAssertionType *string `json:"clientAssertionType,omitempty"`
	// OAuth Client ID which the Kafka client can use to authenticate against the OAuth server and use the token endpoint URI.
	ClientID *string `json:"clientId,omitempty"`
	// Link to Secret containing the OAuth client secret which the Kafka client can use to authenticate against the OAuth server and use the token endpoint URI.
	ClientSecret *GenericSecretSource `json:"clientSecret,omitempty"`
	// The connect timeout in seconds when connecting to authorization server. If not set, the effective connect timeout is 60 seconds.
	ConnectTimeoutSeconds *int32 `json:"connectTimeoutSeconds,omitempty"`
	// Enable or disable TLS hostname verification. Default value is `false`.
	DisableTLSHostnameVerification *bool `json:"disableTlsHostnameVerification,omitempty"`
	// Enable or disable OAuth metrics. Default value is `false`.
	EnableMetrics *bool `json:"enableMetrics,omitempty"`
	// The maximum number of retries to attempt if an initial HTTP request fails. If not set, the default is to not attempt any retries.
	HTTPRetries *int32 `json:"httpRetries,omitempty"`
	// The pause to take before retrying a failed HTTP request. If not set, the default is to not pause at all but to immediately repeat a request.
	HTTPRetryPauseMs *int32 `json:"httpRetryPauseMs,omitempty"`
	// Whether the Accept header should be set in requests to the authorization servers. The default value is `true`.
	IncludeAcceptHeader *bool `json:"includeAcceptHeader,omitempty"`
	// Set or limit time-to-live of the access tokens to the specified number of seconds. This should be set if the authorization server returns opaque tokens.
	MaxTokenExpirySeconds *int32 `json:"maxTokenExpirySeconds,omitempty"`
	// Reference to the `Secret` which holds the password.
	PasswordSecret *PasswordSecretSource `json:"passwordSecret,omitempty"`
	// The read timeout in seconds when connecting to authorization server. If not set, the effective read timeout is 60 seconds.
	ReadTimeoutSeconds *int32 `json:"readTimeoutSeconds,omitempty"`
	// Link to Secret containing the refresh token which can be used to obtain access token from the authorization server.
	RefreshToken *GenericSecretSource `json:"refreshToken,omitempty"`
	// SASL extensions parameters.
	SaslExtensions map[string]string `json:"saslExtensions,omitempty"`
	// OAuth scope to use when authenticating against the authorization server. Some authorization servers require this to be set. The possible values depend on how authorization server is configured. By default `scope` is not specified when doing the token endpoint request.
	Scope *string `json:"scope,omitempty"`
	// Trusted certificates for TLS connection to the OAuth server.
	TLSTrustedCertificates []CertSecretSource `json:"tlsTrustedCertificates,omitempty"`
	// Authorization server token endpoint URI.
	TokenEndpointURI *string `json:"tokenEndpointUri,omitempty"`
	// Username used for the authentication.
	Username *string `json:"username,omitempty"`
}

// GenericSecretSource points at one key of a Secret.
type GenericSecretSource struct {
	// The key under which the secret value is stored in the Kubernetes Secret.
	// +kmm:required
	Key string `json:"key"`
	// The name of the Kubernetes Secret containing the secret value.
	// +kmm:required
	SecretName string `json:"secretName"`
}

// PasswordSecretSource points at the key of a Secret that holds a password.
type PasswordSecretSource struct {
	// The name of the key in the Secret under which the password is stored.
	// +kmm:required
	Password string `json:"password"`
	// The name of the Secret containing the password.
	// +kmm:required
	SecretName string `json:"secretName"`
}

// CertAndKeySecretSource points at a certificate and its private key in one Secret.
type CertAndKeySecretSource struct {
	// The name of the file certificate in the Secret.
	// +kmm:required
	Certificate string `json:"certificate"`
	// The name of the private key in the Secret.
	// +kmm:required
	Key string `json:"key"`
	// The name of the Secret containing the certificate.
	// +kmm:required
	SecretName string `json:"secretName"`
}

// JvmOptions configures the JVM of the MirrorMaker container.
type JvmOptions struct {
	// A map of -XX options to the JVM.
	XX map[string]string `json:"-XX,omitempty"`
	// -Xmx option to to the JVM.
	// +kmm:pattern=^[0-9]+[mMgG]?$
	Xmx *string `json:"-Xmx,omitempty"`
	// -Xms option to to the JVM.
	// +kmm:pattern=^[0-9]+[mMgG]?$
	Xms *string `json:"-Xms,omitempty"`
	// Specifies whether the Garbage Collection logging is enabled. The default is false.
	GcLoggingEnabled *bool `json:"gcLoggingEnabled,omitempty"`
	// A map of additional system properties which will be passed using the `-D` option to the JVM.
	JavaSystemProperties []SystemProperty `json:"javaSystemProperties,omitempty"`
}

// SystemProperty is one Java system property passed with -D.
type SystemProperty struct {
	// The system property name.
	Name *string `json:"name,omitempty"`
	// The system property value.
	Value *string `json:"value,omitempty"`
}

// Logging types accepted in Logging.Type.
const (
	LoggingTypeInline   = "inline"
	LoggingTypeExternal = "external"
)

// Logging is the flattened inline/external logging union of Strimzi.
type Logging struct {
	// Logging type, must be either 'inline' or 'external'.
	// +kmm:required
	// +kmm:enum=inline;external
	Type string `json:"type"`
	// A Map from logger name to logger level.
	Loggers map[string]string `json:"loggers,omitempty"`
	// `ConfigMap` entry where the logging configuration is stored.
	ValueFrom *ExternalConfigurationReference `json:"valueFrom,omitempty"`
}

// ExternalConfigurationReference points at a ConfigMap key holding configuration.
type ExternalConfigurationReference struct {
	// Reference to the key in the ConfigMap containing the configuration.
	ConfigMapKeyRef *corev1.ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`
}

// MetricsConfigTypeJmxPrometheusExporter is the only metrics type.
const MetricsConfigTypeJmxPrometheusExporter = "jmxPrometheusExporter"

// MetricsConfig configures the Prometheus JMX exporter.
type MetricsConfig struct {
	// Metrics type. Only 'jmxPrometheusExporter' supported currently.
	// +kmm:required
	// +kmm:enum=jmxPrometheusExporter
	Type string `json:"type"`
	// ConfigMap entry where the Prometheus JMX Exporter configuration is stored.
	// +kmm:required
	ValueFrom *ExternalConfigurationReference `json:"valueFrom,omitempty"`
}

// Tracing types accepted in Tracing.Type.
const (
	TracingTypeJaeger        = "jaeger"
	TracingTypeOpenTelemetry = "opentelemetry"
)

// Tracing selects the tracing implementation.
type Tracing struct {
	// Type of the tracing used. Currently the only supported type is `opentelemetry` for OpenTelemetry tracing. As of Strimzi 0.37.0, `jaeger` type is not supported anymore and this option is ignored.
	// +kmm:required
	// +kmm:enum=jaeger;opentelemetry
	Type string `json:"type"`
}

// Probe holds the timing of a liveness or readiness probe.
type Probe struct {
	// The initial delay before first the health is first checked. Default to 15 seconds. Minimum value is 0.
	// +kmm:minimum=0
	InitialDelaySeconds *int32 `json:"initialDelaySeconds,omitempty"`
	// The timeout for each attempted health check. Default to 5 seconds. Minimum value is 1.
	// +kmm:minimum=1
	TimeoutSeconds *int32 `json:"timeoutSeconds,omitempty"`
	// How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.
	// +kmm:minimum=1
	PeriodSeconds *int32 `json:"periodSeconds,omitempty"`
	// Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness. Minimum value is 1.
	// +kmm:minimum=1
	SuccessThreshold *int32 `json:"successThreshold,omitempty"`
	// Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.
	// +kmm:minimum=1
	FailureThreshold *int32 `json:"failureThreshold,omitempty"`
}

// KafkaMirrorMakerTemplate customises the generated Deployment, Pods, PodDisruptionBudget,
// container and ServiceAccount.
type KafkaMirrorMakerTemplate struct {
	// Template for Kafka MirrorMaker `Deployment`.
	Deployment *DeploymentTemplate `json:"deployment,omitempty"`
	// Template for Kafka MirrorMaker `Pods`.
	Pod *PodTemplate `json:"pod,omitempty"`
	// Template for Kafka MirrorMaker `PodDisruptionBudget`.
	PodDisruptionBudget *PodDisruptionBudgetTemplate `json:"podDisruptionBudget,omitempty"`
	// Template for Kafka MirrorMaker container.
	MirrorMakerContainer *ContainerTemplate `json:"mirrorMakerContainer,omitempty"`
	// Template for the Kafka MirrorMaker service account.
	ServiceAccount *ResourceTemplate `json:"serviceAccount,omitempty"`
}

// MetadataTemplate holds labels and annotations added to a generated resource.
type MetadataTemplate struct {
	// Labels added to the Kubernetes resource.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations added to the Kubernetes resource.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ResourceTemplate customises the metadata of a generated resource.
type ResourceTemplate struct {
	// Metadata applied to the resource.
	Metadata *MetadataTemplate `json:"metadata,omitempty"`
}

// Deployment strategies accepted in DeploymentTemplate.DeploymentStrategy.
const (
	DeploymentStrategyRollingUpdate = "RollingUpdate"
	DeploymentStrategyRecreate      = "Recreate"
)

// DeploymentTemplate customises the generated Deployment.
type DeploymentTemplate struct {
	// Metadata applied to the resource.
	Metadata *MetadataTemplate `json:"metadata,omitempty"`
	// Pod replacement strategy for deployment configuration changes. Valid values are `RollingUpdate` and `Recreate`. Defaults to `RollingUpdate`.
	// +kmm:enum=RollingUpdate;Recreate
	DeploymentStrategy *string `json:"deploymentStrategy,omitempty"`
}

// PodTemplate customises the generated Pods.
type PodTemplate struct {
	// Metadata applied to the resource.
	Metadata *MetadataTemplate `json:"metadata,omitempty"`
	// List of references to secrets in the same namespace to use for pulling any of the images used by this Pod. When the `STRIMZI_IMAGE_PULL_SECRETS` environment variable in Cluster Operator and the `imagePullSecrets` option are specified, only the `imagePullSecrets` variable is used and the `STRIMZI_IMAGE_PULL_SECRETS` variable is ignored.
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// Configures pod-level security attributes and common container settings.
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`
	// The grace period is the duration in seconds after the processes running in the pod are sent a termination signal, and the time when the processes are forcibly halted with a kill signal. Set this value to longer than the expected cleanup time for your process. Value must be a non-negative integer. A zero value indicates delete immediately. You might need to increase the grace period for very large Kafka clusters, so that the Kafka brokers have enough time to transfer their work to another broker before they are terminated. Defaults to 30 seconds.
	// +kmm:minimum=0
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
	// The pod's affinity rules.
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// The pod's tolerations.
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// The pod's topology spread constraints.
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	// The name of the priority class used to assign priority to the pods.
	PriorityClassName *string `json:"priorityClassName,omitempty"`
	// The name of the scheduler used to dispatch this `Pod`. If not specified, the default scheduler will be used.
	SchedulerName *string `json:"schedulerName,omitempty"`
	// The pod's HostAliases. HostAliases is an optional list of hosts and IPs that will be injected into the Pod's hosts file if specified.
	HostAliases []corev1.HostAlias `json:"hostAliases,omitempty"`
	// Indicates whether information about services should be injected into Pod's environment variables.
	EnableServiceLinks *bool `json:"enableServiceLinks,omitempty"`
	// Defines the total amount of pod memory allocated for the temporary `EmptyDir` volume `/tmp`. Specify the allocation in memory units, for example, `100Mi` for 100 mebibytes. Default value is `5Mi`. The `/tmp` volume is backed by pod memory, not disk storage, so avoid setting a high value as it consumes pod memory resources.
	// +kmm:pattern=^([0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$
	TmpDirSizeLimit *string `json:"tmpDirSizeLimit,omitempty"`
	// Additional volumes that can be mounted to the pod. Accepted for compatibility; MirrorMaker 1 does not mount them.
	Volumes []AdditionalVolume `json:"volumes,omitempty"`
}

// AdditionalVolume is an extra pod volume. The schema accepts it; MirrorMaker 1 ignores it.
type AdditionalVolume struct {
	// Name to use for the volume. Required.
	Name *string `json:"name,omitempty"`
	// Secret to use populate the volume.
	Secret *corev1.SecretVolumeSource `json:"secret,omitempty"`
	// ConfigMap to use to populate the volume.
	ConfigMap *corev1.ConfigMapVolumeSource `json:"configMap,omitempty"`
	// EmptyDir to use to populate the volume.
	EmptyDir *EmptyDirVolumeSource `json:"emptyDir,omitempty"`
	// PersistentVolumeClaim object to use to populate the volume.
	PersistentVolumeClaim *corev1.PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	// CSIVolumeSource object to use to populate the volume.
	CSI *corev1.CSIVolumeSource `json:"csi,omitempty"`
}

// EmptyDirVolumeSource is an emptyDir volume whose size limit is written as an amount and a
// format, as Strimzi's schema has it.
type EmptyDirVolumeSource struct {
	// Medium represents the type of storage medium should back this volume.
	Medium *string `json:"medium,omitempty"`
	// SizeLimit is the total amount of local storage required for this EmptyDir volume.
	SizeLimit *QuantityAmount `json:"sizeLimit,omitempty"`
}

// QuantityAmount is a quantity split into its amount and its format.
type QuantityAmount struct {
	// The amount of the quantity.
	Amount *string `json:"amount,omitempty"`
	// The format of the quantity.
	Format *string `json:"format,omitempty"`
}

// PodDisruptionBudgetTemplate customises the generated PodDisruptionBudget.
type PodDisruptionBudgetTemplate struct {
	// Metadata to apply to the `PodDisruptionBudgetTemplate` resource.
	Metadata *MetadataTemplate `json:"metadata,omitempty"`
	// Maximum number of unavailable pods to allow automatic Pod eviction. A Pod eviction is allowed when the `maxUnavailable` number of pods or fewer are unavailable after the eviction. Setting this value to 0 prevents all voluntary evictions, so the pods must be evicted manually. Defaults to 1.
	// +kmm:minimum=0
	MaxUnavailable *int32 `json:"maxUnavailable,omitempty"`
}

// ContainerTemplate customises the MirrorMaker container.
type ContainerTemplate struct {
	// Environment variables which should be applied to the container.
	Env []ContainerEnvVar `json:"env,omitempty"`
	// Security context for the container.
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`
	// Additional volume mounts which should be applied to the container. Accepted for compatibility; MirrorMaker 1 does not mount them.
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`
}

// ContainerEnvVar is an environment variable with a literal value or a value from a Secret or a
// ConfigMap.
// +kmm:oneOfRequired=value;valueFrom
type ContainerEnvVar struct {
	// The environment variable key.
	Name *string `json:"name,omitempty"`
	// The environment variable value.
	Value *string `json:"value,omitempty"`
	// Reference to the secret or config map property to which the environment variable is set.
	ValueFrom *EnvVarSource `json:"valueFrom,omitempty"`
}

// EnvVarSource is a Secret or ConfigMap key reference for an environment variable.
// +kmm:oneOfRequired=secretKeyRef;configMapKeyRef
type EnvVarSource struct {
	// Reference to a key in a secret.
	SecretKeyRef *corev1.SecretKeySelector `json:"secretKeyRef,omitempty"`
	// Reference to a key in a config map.
	ConfigMapKeyRef *corev1.ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`
}

// Condition types and statuses written by the operator.
const (
	ConditionReady                = "Ready"
	ConditionNotReady             = "NotReady"
	ConditionReconciliationPaused = "ReconciliationPaused"
	ConditionWarning              = "Warning"
)

// KafkaMirrorMakerStatus is the observed state of a KafkaMirrorMaker.
type KafkaMirrorMakerStatus struct {
	// List of status conditions.
	Conditions []Condition `json:"conditions,omitempty"`
	// The generation of the CRD that was last reconciled by the operator.
	ObservedGeneration *int64 `json:"observedGeneration,omitempty"`
	// Label selector for pods providing this resource.
	LabelSelector *string `json:"labelSelector,omitempty"`
	// The current number of pods being used to provide this resource.
	Replicas *int32 `json:"replicas,omitempty"`
}

// Condition is one Strimzi status condition. Unlike metav1.Condition every field is an optional
// string, as in Strimzi's schema.
type Condition struct {
	// The unique identifier of a condition, used to distinguish between other conditions in the resource.
	Type *string `json:"type,omitempty"`
	// The status of the condition, either True, False or Unknown.
	Status *string `json:"status,omitempty"`
	// Last time the condition of a type changed from one status to another. The required format is 'yyyy-MM-ddTHH:mm:ssZ', in the UTC time zone.
	LastTransitionTime *string `json:"lastTransitionTime,omitempty"`
	// The reason for the condition's last transition (a single word in CamelCase).
	Reason *string `json:"reason,omitempty"`
	// Human-readable message indicating details about the condition's last transition.
	Message *string `json:"message,omitempty"`
}
