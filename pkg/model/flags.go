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
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// SettingFlag is the command-line flag of one setting that SettingsFromEnv reads from the
// variable Env. The operator's run command and the render command both offer them, so that a
// preview renders with exactly the flags the operator runs with.
type SettingFlag struct {
	Flag    string
	Env     string
	Default string // as documented; the value itself comes from DefaultSettings
	Usage   string
	Bool    bool
}

// SettingFlags lists the setting flags in their documented order.
func SettingFlags() []SettingFlag {
	return []SettingFlag{
		{Flag: "kafka-mirror-maker-images", Env: EnvMirrorMakerImages, Default: "Strimzi " + StrimziVersion + "'s images for Kafka 3.8.0 to 3.9.2",
			Usage: "Kafka version to image map: <version>=<image> pairs separated by commas or newlines"},
		{Flag: "image-pull-policy", Env: EnvImagePullPolicy,
			Usage: "imagePullPolicy of the MirrorMaker container: Always, IfNotPresent or Never; default: Always for :latest images, else IfNotPresent"},
		{Flag: "image-pull-secrets", Env: EnvImagePullSecrets,
			Usage: "comma-separated Secret names used as imagePullSecrets when the resource's Pod template sets none"},
		{Flag: "labels-exclusion-pattern", Env: EnvLabelsExclusionPattern, Default: DefaultLabelsExclusionPattern,
			Usage: "regular expression of resource labels that are not copied to the MirrorMaker objects"},
		{Flag: "custom-kafka-mirror-maker-labels", Env: EnvCustomPodLabels,
			Usage: "extra labels of every MirrorMaker Pod: key=value pairs separated by commas or newlines"},
		{Flag: "pod-security-provider-class", Env: EnvPodSecurityProvider, Default: "baseline",
			Usage: "Pod security provider: baseline or restricted (Strimzi's class names are accepted too)"},
		{Flag: "openshift", Env: EnvOpenShift, Bool: true, Default: "false",
			Usage: "render for OpenShift (Secret volumes with defaultMode 0440, as Strimzi does there)"},
	}
}

// SettingFlagValues collects the setting flags given on a command line, by variable name.
type SettingFlagValues map[string]string

// Register adds the setting flags to fs; the values given are recorded in v.
func (v SettingFlagValues) Register(fs *flag.FlagSet) {
	for _, f := range SettingFlags() {
		set := func(s string) error { v[f.Env] = s; return nil }
		if f.Bool {
			fs.BoolFunc(f.Flag, f.Usage, set)
		} else {
			fs.Func(f.Flag, f.Usage, set)
		}
	}
}

// Settings reads the settings from the flags given, falling back to the variables through lookup
// (see SettingsFromEnv). An error names the flag (--name) or the variable that held the bad
// value, and the value.
func (v SettingFlagValues) Settings(lookup func(string) (string, bool)) (Settings, error) {
	s, err := SettingsFromEnv(func(name string) (string, bool) {
		if x, ok := v[name]; ok {
			return x, true
		}
		return lookup(name)
	})
	if err == nil {
		return s, nil
	}
	// SettingsFromEnv reports `NAME="value": reason`.
	msg := err.Error()
	for _, f := range SettingFlags() {
		if !strings.HasPrefix(msg, f.Env+"=") {
			continue
		}
		source, value, ok := "--"+f.Flag, "", false
		if value, ok = v[f.Env]; !ok {
			source = f.Env
			value, _ = lookup(f.Env)
		}
		reason := strings.TrimPrefix(strings.TrimPrefix(msg, f.Env+"="), strconv.Quote(value)+": ")
		return Settings{}, fmt.Errorf("invalid value %q for %s: %s", value, source, reason)
	}
	return Settings{}, errors.New(msg)
}
