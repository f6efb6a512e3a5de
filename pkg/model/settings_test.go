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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func envLookup(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	assert.Equal(t, map[string]string{
		"3.8.0": "quay.io/strimzi/kafka:0.45.2-kafka-3.8.0",
		"3.8.1": "quay.io/strimzi/kafka:0.45.2-kafka-3.8.1",
		"3.9.0": "quay.io/strimzi/kafka:0.45.2-kafka-3.9.0",
		"3.9.1": "quay.io/strimzi/kafka:0.45.2-kafka-3.9.1",
		"3.9.2": "quay.io/strimzi/kafka:0.45.2-kafka-3.9.2",
	}, s.Images)
	assert.Equal(t, "3.9.2", s.DefaultKafkaVersion)
	assert.Equal(t, SecurityProfileBaseline, s.SecurityProfile)
	assert.Equal(t, DefaultLabelsExclusionPattern, s.LabelsExclusion.String())
	assert.Empty(t, s.ImagePullPolicy)

	// The zero value renders like the defaults.
	m := mustModel(t, baseKMM(), Settings{})
	assert.Equal(t, expectedLabels(), m.Labels())
	kmm := baseKMM()
	kmm.Spec.Image = nil
	assert.Equal(t, "quay.io/strimzi/kafka:0.45.2-kafka-3.9.2", mustModel(t, kmm, Settings{}).Image())
}

func TestSettingsFromEnv(t *testing.T) {
	s, err := SettingsFromEnv(envLookup(nil))
	require.NoError(t, err)
	assert.Equal(t, DefaultSettings().Images, s.Images)

	s, err = SettingsFromEnv(envLookup(map[string]string{
		"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES":        "3.9.1=registry/kafka:a\n3.9.2=registry/kafka:b\n",
		"STRIMZI_IMAGE_PULL_POLICY":                "ifnotpresent",
		"STRIMZI_IMAGE_PULL_SECRETS":               "one, two,three",
		"STRIMZI_LABELS_EXCLUSION_PATTERN":         "^internal/.*",
		"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS": "team=a,\nenv=prod",
		"STRIMZI_POD_SECURITY_PROVIDER_CLASS":      "io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider",
		"NO_PROXY":                                 "localhost",
		"HTTP_PROXY":                               "http://proxy:3128",
		"FIPS_MODE":                                "disabled",
		"KMM_OPENSHIFT":                            "true",
	}))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"3.9.1": "registry/kafka:a", "3.9.2": "registry/kafka:b"}, s.Images)
	assert.Equal(t, corev1.PullIfNotPresent, s.ImagePullPolicy)
	assert.Equal(t, []corev1.LocalObjectReference{{Name: "one"}, {Name: "two"}, {Name: "three"}}, s.ImagePullSecrets)
	assert.True(t, s.LabelsExclusion.Matches("internal/x"))
	assert.False(t, s.LabelsExclusion.Matches("app.kubernetes.io/name"))
	assert.Equal(t, map[string]string{"team": "a", "env": "prod"}, s.CustomPodLabels)
	assert.Equal(t, SecurityProfileRestricted, s.SecurityProfile)
	assert.Equal(t, []corev1.EnvVar{
		{Name: "HTTP_PROXY", Value: "http://proxy:3128"},
		{Name: "NO_PROXY", Value: "localhost"},
		{Name: "FIPS_MODE", Value: "disabled"},
	}, s.ProxyEnv)
	assert.True(t, s.OpenShift)

	for value, want := range map[string]SecurityProfile{
		"baseline": SecurityProfileBaseline, "Restricted": SecurityProfileRestricted,
		"io.strimzi.plugin.security.profiles.impl.BaselinePodSecurityProvider": SecurityProfileBaseline,
	} {
		s, err := SettingsFromEnv(envLookup(map[string]string{"STRIMZI_POD_SECURITY_PROVIDER_CLASS": value}))
		require.NoError(t, err)
		assert.Equal(t, want, s.SecurityProfile)
	}
}

func TestSettingsFromEnvErrors(t *testing.T) {
	cases := map[string]string{
		"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES":        "3.9.2",
		"STRIMZI_IMAGE_PULL_POLICY":                "Sometimes",
		"STRIMZI_IMAGE_PULL_SECRETS":               "Upper_Case",
		"STRIMZI_LABELS_EXCLUSION_PATTERN":         "(?<=a)b",
		"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS": "novalue",
		"STRIMZI_POD_SECURITY_PROVIDER_CLASS":      "com.example.Custom",
		"KMM_OPENSHIFT":                            "perhaps",
	}
	for name, value := range cases {
		_, err := SettingsFromEnv(envLookup(map[string]string{name: value}))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name)
		assert.Contains(t, err.Error(), value)
	}
}

func TestParseImageMap(t *testing.T) {
	images, err := ParseImageMap(" 3.8.0=quay.io/strimzi/kafka:0.45.2-kafka-3.8.0\n\t3.9.2=quay.io/strimzi/kafka:0.45.2-kafka-3.9.2, 3.9.1=x:y ")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"3.8.0": "quay.io/strimzi/kafka:0.45.2-kafka-3.8.0",
		"3.9.2": "quay.io/strimzi/kafka:0.45.2-kafka-3.9.2",
		"3.9.1": "x:y",
	}, images)

	_, err = ParseImageMap("3.9.2=")
	assert.Error(t, err)
	_, err = ParseImageMap("image-without-version")
	assert.Error(t, err)
	images, err = ParseImageMap("")
	require.NoError(t, err)
	assert.Empty(t, images)
}

func TestLabelPatternDefault(t *testing.T) {
	p, err := ParseLabelPattern(DefaultLabelsExclusionPattern)
	require.NoError(t, err)
	for key, excluded := range map[string]bool{
		"app.kubernetes.io/name":           true,
		"app.kubernetes.io/instance":       true,
		"app.kubernetes.io/managed-by":     true,
		"app.kubernetes.io/version":        true,
		"app.kubernetes.io/":               true,
		"appXkubernetesYio/name":           true,
		"app.kubernetes.io/part-of":        false,
		"app.kubernetes.io/part-of-suffix": false,
		"app.kubernetes.io/part":           true,
		"kustomize.toolkit.fluxcd.io/name": true,
		"kustomize.toolkit.fluxcd.io":      true,
		"my-user-label":                    false,
		"strimzi.io/cluster":               false,
		"x-app.kubernetes.io/name":         false,
		"app.kubernetes.io":                false,
	} {
		assert.Equal(t, excluded, p.Matches(key), key)
	}
}

func TestLabelPatternSyntax(t *testing.T) {
	p, err := ParseLabelPattern("^foo.*|bar")
	require.NoError(t, err)
	assert.True(t, p.Matches("foo/x"))
	assert.True(t, p.Matches("bar"))
	assert.False(t, p.Matches("barx"))

	p, err = ParseLabelPattern("(?!internal/).*")
	require.NoError(t, err)
	assert.True(t, p.Matches("public/x"))
	assert.False(t, p.Matches("internal/x"))

	p, err = ParseLabelPattern(`(?:a\.(?!b|c)[a-z]+|x(y))`)
	require.NoError(t, err)
	assert.True(t, p.Matches("a.d"))
	assert.False(t, p.Matches("a.b"))
	assert.False(t, p.Matches("a.cd"))
	assert.True(t, p.Matches("xy"))

	for _, bad := range []string{"(?<=a)b", "(?<!a)b", "a(?=b)", "a(?!b)c(?!d)", "(a(?!b))c|d", "(?>a)", "[abc", "a)", "(a", `a\`} {
		_, err := ParseLabelPattern(bad)
		assert.Error(t, err, bad)
	}
	var nilPattern *LabelPattern
	assert.False(t, nilPattern.Matches("anything"))
}
