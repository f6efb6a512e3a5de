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
package mirrorpod

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// rendered is the part of `kmm-operator render` output a kubelet needs to run the mirror.
type rendered struct {
	Deployment *appsv1.Deployment
	ConfigMaps map[string]*corev1.ConfigMap
}

// render runs `kmm-operator render -o json` on input and returns the rendered objects.
func render(t *testing.T, input string) *rendered {
	t.Helper()
	file := filepath.Join(t.TempDir(), "input.yaml")
	if err := os.WriteFile(file, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(operatorBinary, "render", "-f", file, "-o", "json")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if err := cmd.Run(); err != nil {
		t.Fatalf("kmm-operator render: %v\n%s", err, stderr.String())
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
		t.Fatalf("render output: %v", err)
	}
	out := &rendered{ConfigMaps: map[string]*corev1.ConfigMap{}}
	for _, raw := range list.Items {
		var meta struct{ Kind string }
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatal(err)
		}
		switch meta.Kind {
		case "Deployment":
			out.Deployment = &appsv1.Deployment{}
			if err := json.Unmarshal(raw, out.Deployment); err != nil {
				t.Fatal(err)
			}
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			if err := json.Unmarshal(raw, cm); err != nil {
				t.Fatal(err)
			}
			out.ConfigMaps[cm.Name] = cm
		}
	}
	if out.Deployment == nil {
		t.Fatalf("render output has no Deployment:\n%s", stdout.String())
	}
	return out
}

// secretsOf decodes the Secrets of a multi-document YAML input, by name.
func secretsOf(t *testing.T, input string) map[string]*corev1.Secret {
	t.Helper()
	out := map[string]*corev1.Secret{}
	dec := yaml.NewYAMLOrJSONDecoder(strings.NewReader(input), 4096)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		var meta struct{ Kind string }
		if err := json.Unmarshal(raw, &meta); err != nil || meta.Kind != "Secret" {
			continue
		}
		var s corev1.Secret
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("input Secret: %v", err)
		}
		out[s.Name] = &s
	}
	return out
}

// podSpecFor resolves the rendered Deployment's only container as a kubelet would: the
// environment with its Secret and ConfigMap references, and each volume mount's content.
func podSpecFor(t *testing.T, r *rendered, secrets map[string]*corev1.Secret) *podSpec {
	t.Helper()
	pod := r.Deployment.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("rendered pod has %d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	spec := &podSpec{
		Binary: mirrorBinary,
		Args:   append(append([]string{}, c.Command...), c.Args...),
		// The image's ENV (kmm-mirror's Dockerfile), then the container's.
		Env: []string{"PATH=" + imagePath, "KAFKA_HOME=" + kafkaHome, "HOSTNAME=" + r.Deployment.Name + "-pod"},
		UID: 1001,
		GID: 0,
	}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			switch ref := e.ValueFrom; {
			case ref.SecretKeyRef != nil:
				v = string(secrets[ref.SecretKeyRef.Name].Data[ref.SecretKeyRef.Key])
			case ref.ConfigMapKeyRef != nil:
				v = r.ConfigMaps[ref.ConfigMapKeyRef.Name].Data[ref.ConfigMapKeyRef.Key]
			default:
				t.Fatalf("env %s: unsupported valueFrom", e.Name)
			}
		}
		spec.Env = append(spec.Env, e.Name+"="+v)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	for _, vm := range c.VolumeMounts {
		v, ok := volumes[vm.Name]
		if !ok {
			t.Fatalf("volume mount %s has no volume", vm.Name)
		}
		m := mount{Path: filepath.Clean(vm.MountPath)}
		switch {
		case v.EmptyDir != nil:
			m.SizeLimit = 64 << 20
			if v.EmptyDir.SizeLimit != nil {
				m.SizeLimit = v.EmptyDir.SizeLimit.Value()
			}
		case v.Secret != nil:
			s, ok := secrets[v.Secret.SecretName]
			if !ok {
				t.Fatalf("volume %s: Secret %s is not in the input", v.Name, v.Secret.SecretName)
			}
			mode := os.FileMode(0o644)
			if v.Secret.DefaultMode != nil {
				mode = os.FileMode(*v.Secret.DefaultMode)
			}
			m.Source = volumeDir(t, s.Data, mode)
		case v.ConfigMap != nil:
			cm, ok := r.ConfigMaps[v.ConfigMap.Name]
			if !ok {
				t.Fatalf("volume %s: ConfigMap %s was not rendered", v.Name, v.ConfigMap.Name)
			}
			data := map[string][]byte{}
			for k, val := range cm.Data {
				data[k] = []byte(val)
			}
			m.Source = volumeDir(t, data, 0o644)
		default:
			t.Fatalf("volume %s: unsupported type", v.Name)
		}
		spec.Mounts = append(spec.Mounts, m)
	}
	return spec
}

// volumeDir writes a volume's files into a directory the pod's user can read.
func volumeDir(t *testing.T, files map[string][]byte, mode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func secretYAML(name string, data map[string][]byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: default\ndata:\n", name)
	for k, v := range data {
		fmt.Fprintf(&b, "  %s: %s\n", k, b64(v))
	}
	return b.String()
}
