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

package main

import "testing"

// TestExitCodes runs the command on the fixtures of package check: 0 when clean, 1 with
// problems, 2 when it cannot check.
func TestExitCodes(t *testing.T) {
	const td = "../../check/testdata/"
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"good", []string{"--rules", td + "good-rules.yaml", "--dashboards", td + "good-dashboard.json",
			"--scrape", "app=" + td + "app.prom", "--target", "app=job=app,namespace=prod,pod=app-0", "--runbooks", td + "runbooks.md"}, 0},
		{"renamed metrics", []string{"--rules", td + "good-rules.yaml", "--scrape", "app=" + td + "renamed.prom",
			"--target", "app=job=app,namespace=prod,pod=app-0"}, 1},
		{"bad dashboard", []string{"--dashboards", td + "bad-dashboard.json"}, 1},
		{"malformed scrape", []string{"--rules", td + "good-rules.yaml", "--scrape", "app=" + td + "malformed.prom"}, 2},
		{"nothing to check", nil, 2},
		{"target without scrape", []string{"--rules", td + "good-rules.yaml", "--target", "x=job=x"}, 2},
		{"bad target", []string{"--rules", td + "good-rules.yaml", "--scrape", "app=" + td + "app.prom", "--target", "app=job"}, 2},
	} {
		if got := run(tc.args); got != tc.want {
			t.Errorf("%s: exit code %d, want %d", tc.name, got, tc.want)
		}
	}
}
