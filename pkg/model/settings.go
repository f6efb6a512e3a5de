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
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// SecurityProfile selects the Pod security provider: what Strimzi's
// STRIMZI_POD_SECURITY_PROVIDER_CLASS selects.
type SecurityProfile string

// The security profiles Strimzi ships.
const (
	// SecurityProfileBaseline adds no security context of its own (Strimzi's default).
	SecurityProfileBaseline SecurityProfile = "baseline"
	// SecurityProfileRestricted gives the container a context that satisfies the "restricted"
	// Pod Security Standard.
	SecurityProfileRestricted SecurityProfile = "restricted"
)

// Strimzi's fully qualified class names for the two security providers.
const (
	baselineProviderClass   = "io.strimzi.plugin.security.profiles.impl.BaselinePodSecurityProvider"
	restrictedProviderClass = "io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider"
)

// StrimziVersion is the Strimzi release whose output this package reproduces.
const StrimziVersion = "0.45.2"

// DefaultKafkaVersion is the default Kafka version of Strimzi 0.45.2.
const DefaultKafkaVersion = "3.9.2"

// supportedKafkaVersions are the Kafka versions Strimzi 0.45.2 ships images for.
var supportedKafkaVersions = []string{"3.8.0", "3.8.1", "3.9.0", "3.9.1", "3.9.2"}

// The operator environment variables SettingsFromEnv reads.
const (
	EnvMirrorMakerImages      = "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES"
	EnvImagePullPolicy        = "STRIMZI_IMAGE_PULL_POLICY"
	EnvImagePullSecrets       = "STRIMZI_IMAGE_PULL_SECRETS"
	EnvLabelsExclusionPattern = "STRIMZI_LABELS_EXCLUSION_PATTERN"
	EnvCustomPodLabels        = "STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS"
	EnvPodSecurityProvider    = "STRIMZI_POD_SECURITY_PROVIDER_CLASS"
	EnvOpenShift              = "KMM_OPENSHIFT"
)

// proxyEnvNames are the operator variables copied into the MirrorMaker container when set.
var proxyEnvNames = []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "FIPS_MODE"}

// Settings are the operator-wide inputs of the model: what Strimzi reads from the Cluster
// Operator's environment. Zero-valued fields take the defaults of DefaultSettings.
type Settings struct {
	// Images maps a Kafka version to the MirrorMaker image; default: Strimzi 0.45.2's images.
	Images map[string]string
	// DefaultKafkaVersion picks the image when the resource sets neither image nor version.
	DefaultKafkaVersion string
	// ImagePullPolicy for the container; "" means Always for ":latest" images, else IfNotPresent.
	ImagePullPolicy corev1.PullPolicy
	// ImagePullSecrets are used when the Pod template sets none.
	ImagePullSecrets []corev1.LocalObjectReference
	// LabelsExclusion matches resource labels that are not copied; default Strimzi's pattern.
	LabelsExclusion *LabelPattern
	// CustomPodLabels are added to the Pod template (STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS).
	CustomPodLabels map[string]string
	// ProxyEnv are copied into the container: HTTP_PROXY, HTTPS_PROXY, NO_PROXY, FIPS_MODE when
	// set on the operator, in that order.
	ProxyEnv []corev1.EnvVar
	// SecurityProfile selects the Pod security provider; default baseline.
	SecurityProfile SecurityProfile
	// OpenShift makes Secret volumes use defaultMode 0440 instead of 0444.
	OpenShift bool
}

var defaultLabelsExclusion = MustParseLabelPattern(DefaultLabelsExclusionPattern)

// DefaultImages returns Strimzi 0.45.2's STRIMZI_KAFKA_MIRROR_MAKER_IMAGES.
func DefaultImages() map[string]string {
	images := make(map[string]string, len(supportedKafkaVersions))
	for _, v := range supportedKafkaVersions {
		images[v] = "quay.io/strimzi/kafka:" + StrimziVersion + "-kafka-" + v
	}
	return images
}

// DefaultSettings returns the settings of a Strimzi 0.45.2 Cluster Operator installed with its
// default configuration.
func DefaultSettings() Settings {
	return Settings{
		Images:              DefaultImages(),
		DefaultKafkaVersion: DefaultKafkaVersion,
		LabelsExclusion:     defaultLabelsExclusion,
		SecurityProfile:     SecurityProfileBaseline,
	}
}

// withDefaults fills zero-valued fields with the defaults.
func (s Settings) withDefaults() Settings {
	if s.Images == nil {
		s.Images = DefaultImages()
	}
	if s.DefaultKafkaVersion == "" {
		s.DefaultKafkaVersion = DefaultKafkaVersion
	}
	if s.LabelsExclusion == nil {
		s.LabelsExclusion = defaultLabelsExclusion
	}
	if s.SecurityProfile == "" {
		s.SecurityProfile = SecurityProfileBaseline
	}
	return s
}

// SettingsFromEnv reads the operator settings from environment variables, in the formats Strimzi
// accepts. lookup is typically os.LookupEnv; a variable set to the empty string counts as unset.
func SettingsFromEnv(lookup func(string) (string, bool)) (Settings, error) {
	s := DefaultSettings()
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		if !ok || strings.TrimSpace(v) == "" {
			return "", false
		}
		return v, true
	}
	if v, ok := get(EnvMirrorMakerImages); ok {
		images, err := ParseImageMap(v)
		if err != nil {
			return Settings{}, fmt.Errorf("%s=%q: %v", EnvMirrorMakerImages, v, err)
		}
		s.Images = images
	}
	if v, ok := get(EnvImagePullPolicy); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "always":
			s.ImagePullPolicy = corev1.PullAlways
		case "ifnotpresent":
			s.ImagePullPolicy = corev1.PullIfNotPresent
		case "never":
			s.ImagePullPolicy = corev1.PullNever
		default:
			return Settings{}, fmt.Errorf("%s=%q: not a valid value; use one of Always, IfNotPresent, Never", EnvImagePullPolicy, v)
		}
	}
	if v, ok := get(EnvImagePullSecrets); ok {
		secrets, err := parseImagePullSecrets(v)
		if err != nil {
			return Settings{}, fmt.Errorf("%s=%q: %v", EnvImagePullSecrets, v, err)
		}
		s.ImagePullSecrets = secrets
	}
	if v, ok := get(EnvLabelsExclusionPattern); ok {
		p, err := ParseLabelPattern(v)
		if err != nil {
			return Settings{}, fmt.Errorf("%s=%q: %v", EnvLabelsExclusionPattern, v, err)
		}
		s.LabelsExclusion = p
	}
	if v, ok := get(EnvCustomPodLabels); ok {
		labels, err := parseJavaMap(v)
		if err != nil {
			return Settings{}, fmt.Errorf("%s=%q: %v", EnvCustomPodLabels, v, err)
		}
		s.CustomPodLabels = labels
	}
	if v, ok := get(EnvPodSecurityProvider); ok {
		p, err := parseSecurityProfile(v)
		if err != nil {
			return Settings{}, fmt.Errorf("%s=%q: %v", EnvPodSecurityProvider, v, err)
		}
		s.SecurityProfile = p
	}
	for _, name := range proxyEnvNames {
		if v, ok := lookup(name); ok && v != "" {
			s.ProxyEnv = append(s.ProxyEnv, corev1.EnvVar{Name: name, Value: v})
		}
	}
	if v, ok := get(EnvOpenShift); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return Settings{}, fmt.Errorf("%s=%q: not a boolean", EnvOpenShift, v)
		}
		s.OpenShift = b
	}
	return s, nil
}

// ParseImageMap parses STRIMZI_KAFKA_MIRROR_MAKER_IMAGES: "<kafkaVersion>=<image>" pairs separated
// by commas or whitespace (usually one per line).
func ParseImageMap(s string) (map[string]string, error) {
	images, err := parseJavaMap(s)
	if err != nil {
		return nil, err
	}
	for v, image := range images {
		if v == "" || image == "" {
			return nil, fmt.Errorf("entry %q=%q: both the Kafka version and the image are required", v, image)
		}
	}
	return images, nil
}

// parseJavaMap parses "key=value" records separated by commas or whitespace, as Strimzi's
// Util.parseMap does.
func parseJavaMap(s string) (map[string]string, error) {
	out := map[string]string{}
	records := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	for _, record := range records {
		k, v, ok := strings.Cut(record, "=")
		if !ok {
			return nil, fmt.Errorf("entry %q is not of the form key=value", record)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

var imagePullSecretsFormat = regexp.MustCompile(`^(\s*[a-z0-9.-]+\s*,)*\s*[a-z0-9.-]+\s*$`)

// parseImagePullSecrets parses STRIMZI_IMAGE_PULL_SECRETS, a comma-separated list of Secret names.
func parseImagePullSecrets(s string) ([]corev1.LocalObjectReference, error) {
	if !imagePullSecretsFormat.MatchString(s) {
		return nil, fmt.Errorf("not a valid comma-separated list of Secret names")
	}
	var out []corev1.LocalObjectReference
	for _, name := range regexp.MustCompile(`\s*,+\s*`).Split(strings.TrimSpace(s), -1) {
		out = append(out, corev1.LocalObjectReference{Name: name})
	}
	return out, nil
}

func parseSecurityProfile(v string) (SecurityProfile, error) {
	switch strings.TrimSpace(v) {
	case baselineProviderClass:
		return SecurityProfileBaseline, nil
	case restrictedProviderClass:
		return SecurityProfileRestricted, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case string(SecurityProfileBaseline):
		return SecurityProfileBaseline, nil
	case string(SecurityProfileRestricted):
		return SecurityProfileRestricted, nil
	}
	return "", fmt.Errorf("unknown security provider; use baseline, restricted, %s or %s", baselineProviderClass, restrictedProviderClass)
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
