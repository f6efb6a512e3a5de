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

package operator

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/klog/v2"
)

func TestJSONLogging(t *testing.T) {
	var out lockedBuffer
	t.Cleanup(klog.ClearLogger)
	logger := setupLogging("json", 2, &out)
	logger.WithName("ctrl").Info("hello", "object", klog.KRef("ns", "name"))
	logger.V(2).Info("detail", "n", 1)
	logger.V(3).Info("hidden")
	logger.Error(errors.New("boom"), "failed")
	klog.InfoS("from klog", "k", "v") // client-go's logs go the same way
	klog.V(3).InfoS("hidden too")

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4, out.String())
	var recs []map[string]any
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		recs = append(recs, m)
	}
	require.Equal(t, "INFO", recs[0]["level"])
	require.Equal(t, "hello", recs[0]["msg"])
	require.Equal(t, "ctrl", recs[0]["logger"])
	require.Equal(t, map[string]any{"name": "name", "namespace": "ns"}, recs[0]["object"])
	require.Equal(t, "INFO", recs[1]["level"])
	require.Equal(t, float64(2), recs[1]["v"])
	require.Equal(t, "ERROR", recs[2]["level"])
	require.Equal(t, "boom", recs[2]["err"])
	require.Equal(t, "from klog", recs[3]["msg"])
}

func TestTextLogging(t *testing.T) {
	var out lockedBuffer
	t.Cleanup(klog.ClearLogger)
	logger := setupLogging("text", 0, &out)
	logger.Info("hello", "object", klog.KRef("ns", "name"))
	logger.V(1).Info("hidden")
	require.Regexp(t, `^I\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ logging_test.go:\d+\] "hello" object="ns/name"\n$`, out.String())
}
