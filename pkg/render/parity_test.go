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

package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/kmm-operator/kmm-operator/artifacts/crds"
)

// Same variables as pkg/controller's TestAgainstAPIServer: `make test` (hack/test.sh) sets them
// to the local control plane, which has the CRD of artifacts/crds installed.
const (
	envTestKubeconfig  = "KMM_TEST_KUBECONFIG"
	envRequireCluster  = "KMM_REQUIRE_CLUSTER"
	apiServerKMMPrefix = `KafkaMirrorMaker in version "v1beta2" cannot be handled as a KafkaMirrorMaker: `
)

// TestParityWithAPIServer sends every schema case, and the examples, to a real API server as
// `kubectl apply` would create them (a POST with fieldValidation=Strict; here with dryRun=All, so
// nothing is stored), and requires that render prints exactly the field paths and messages the
// API server answers: nothing is copied by hand. The API server lists the schema validator's
// errors in random order, so the lines are compared as sorted lists.
func TestParityWithAPIServer(t *testing.T) {
	path := os.Getenv(envTestKubeconfig)
	if path == "" {
		// make test always provides the local control plane; only a bare `go test` may skip.
		if os.Getenv(envRequireCluster) != "" {
			t.Fatalf("%s is set but %s is not: no cluster to test against", envRequireCluster, envTestKubeconfig)
		}
		t.Skipf("set %s to an admin kubeconfig of a cluster with the KafkaMirrorMaker CRD to run", envTestKubeconfig)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	require.NoError(t, err)
	cfg.QPS, cfg.Burst = 50, 100
	kube := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The API server must serve the CRD render embeds (cluster.sh up applies artifacts/crds).
	raw, err := kube.CoreV1().RESTClient().Get().AbsPath("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/kafkamirrormakers.kafka.strimzi.io").DoRaw(ctx)
	require.NoError(t, err)
	var live, shipped apiextensionsv1.CustomResourceDefinition
	require.NoError(t, json.Unmarshal(raw, &live))
	require.NoError(t, yaml.UnmarshalStrict([]byte(crds.KafkaMirrorMakersYAML), &shipped))
	require.Equal(t, shipped.Spec.Versions, live.Spec.Versions,
		"the cluster's KafkaMirrorMaker CRD is not the one of artifacts/crds: apply it (kubectl apply -f artifacts/crds) and run again")

	// A namespace of its own: a dry-run create still needs its namespace to exist.
	ns, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "kmm-render-parity-"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = kube.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})

	cases := slices.Clone(schemaCases)
	examples, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	require.NoError(t, err)
	for _, f := range examples {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		cases = append(cases, schemaCase{name: "example " + filepath.Base(f), doc: string(b)})
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Render with the namespace the API server gets: the documents have none.
			code, _, stderr := run(t, tc.doc, noEnv, "-f", "-", "--validate-only")
			var renderLines []string
			for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if l == "" {
					continue
				}
				_, rest, ok := strings.Cut(l, ": ") // "<namespace>/<name>: "
				require.True(t, ok, l)
				renderLines = append(renderLines, rest)
			}

			var apiLines []string
			for _, body := range kafkaMirrorMakerBodies(t, tc.doc) {
				lines, err := createDryRun(ctx, kube.CoreV1().RESTClient(), ns.Name, body)
				require.NoError(t, err)
				apiLines = append(apiLines, lines...)
			}
			slices.Sort(apiLines)
			slices.Sort(renderLines)
			assert.Equal(t, apiLines, renderLines, "render's lines (right) must be the API server's (left)")
			if len(apiLines) == 0 {
				assert.Equal(t, ExitOK, code)
			} else {
				assert.Equal(t, ExitValidationError, code)
			}
			// The table of TestSchemaValidation holds what the API server says.
			if !strings.HasPrefix(tc.name, "example ") {
				want := slices.Clone(tc.want)
				slices.Sort(want)
				assert.Equal(t, apiLines, want, "schemaCases must hold the API server's answer")
			}
		})
	}
}

// kafkaMirrorMakerBodies returns the KafkaMirrorMakers of a YAML or JSON stream as the JSON
// request bodies kubectl sends (the same YAML-to-JSON conversion render uses).
func kafkaMirrorMakerBodies(t *testing.T, doc string) [][]byte {
	t.Helper()
	in := newInputs()
	d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(doc), 4096)
	for {
		var raw json.RawMessage
		if err := d.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		require.NoError(t, in.add(raw))
	}
	var bodies [][]byte
	for _, m := range in.mirrorMakers {
		bodies = append(bodies, m.raw)
	}
	require.NotEmpty(t, bodies)
	return bodies
}

// createDryRun POSTs body to the KafkaMirrorMakers of namespace with dryRun=All and
// fieldValidation=Strict, and returns the API server's errors as render prints them,
// "<field>: <message>": the causes of an Invalid (422), the strict decoding errors of a
// BadRequest (400, where the field is the path the message quotes), or its message.
func createDryRun(ctx context.Context, c rest.Interface, namespace string, body []byte) ([]string, error) {
	err := c.Post().AbsPath("/apis/kafka.strimzi.io/v1beta2/namespaces", namespace, "kafkamirrormakers").
		Param("dryRun", "All").Param("fieldValidation", "Strict").
		SetHeader("Content-Type", "application/json").Body(body).Do(ctx).Error()
	if err == nil {
		return nil, nil
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return nil, err
	}
	s := status.Status()
	switch s.Reason {
	case metav1.StatusReasonInvalid:
		var lines []string
		for _, c := range s.Details.Causes {
			lines = append(lines, c.Field+": "+c.Message)
		}
		return lines, nil
	case metav1.StatusReasonBadRequest:
		msg, ok := strings.CutPrefix(s.Message, apiServerKMMPrefix)
		if !ok {
			return nil, fmt.Errorf("unexpected BadRequest: %s", s.Message)
		}
		strict, ok := strings.CutPrefix(msg, "strict decoding error: ")
		if !ok {
			return []string{msg}, nil
		}
		var lines []string
		for _, e := range strings.Split(strict, ", ") {
			m := quotedPath.FindStringSubmatch(e)
			if m == nil {
				return nil, fmt.Errorf("unexpected strict decoding error %q", e)
			}
			lines = append(lines, m[1]+": "+e)
		}
		return lines, nil
	}
	return nil, fmt.Errorf("unexpected answer %d %s: %s", s.Code, s.Reason, s.Message)
}

// quotedPath matches a strict decoding error: `unknown field "spec.a"`, `duplicate field "spec.b"`.
var quotedPath = regexp.MustCompile(`^(?:unknown|duplicate) field "(.*)"$`)
