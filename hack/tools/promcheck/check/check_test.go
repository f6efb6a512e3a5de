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

package check

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func td(name string) string { return filepath.Join("testdata", name) }

// appScrape is the hand-written scrape of the fixtures, with the target labels a PodMonitor
// would add (namespace clashes with the app's own label, which becomes exported_namespace).
func appScrape() Scrape {
	return Scrape{Name: "app", Path: td("app.prom"), Target: map[string]string{"job": "app", "namespace": "prod", "pod": "app-0"}}
}

func run(t *testing.T, opts Options) ([]Problem, Summary) {
	t.Helper()
	problems, summary, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return problems, summary
}

// requireProblems checks that each want is a substring of some problem, and that there are no
// other problems than count.
func requireProblems(t *testing.T, problems []Problem, count int, want ...string) {
	t.Helper()
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	text := strings.Join(all, "\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("no problem contains %q; problems:\n%s", w, text)
		}
	}
	if count >= 0 && len(problems) != count {
		t.Errorf("%d problems, want %d:\n%s", len(problems), count, text)
	}
}

func TestGood(t *testing.T) {
	var log bytes.Buffer
	problems, summary := run(t, Options{
		Rules:      []string{td("good-rules.yaml")},
		Dashboards: []string{td("good-dashboard.json")},
		Scrapes:    []Scrape{appScrape()},
		RunbookDoc: td("runbooks.md"),
		Log:        &log,
	})
	requireProblems(t, problems, 0)
	if summary.Alerts != 3 || summary.Queries != 4 || summary.Variables != 4 || summary.Scrapes != 1 {
		t.Errorf("summary %s", summary)
	}
	// The queue alert fires on the fixture: its templates were expanded, not only parsed.
	if !strings.Contains(log.String(), "annotation summary: Queue work of app-0 is stuck") {
		t.Errorf("AppQueueStuck was not expanded:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "annotation summary: An old version watches watched") {
		t.Errorf("exported_namespace was not kept:\n%s", log.String())
	}
}

func TestGoodSyntaxOnly(t *testing.T) {
	problems, _ := run(t, Options{
		Rules:      []string{td("good-rules.yaml")},
		Dashboards: []string{td("good-dashboard.json")},
		RunbookDoc: td("runbooks.md"),
	})
	requireProblems(t, problems, 0)
}

func TestBadRules(t *testing.T) {
	problems, _ := run(t, Options{
		Rules:      []string{td("bad-rules.yaml")},
		Scrapes:    []Scrape{appScrape()},
		RunbookDoc: td("runbooks.md"),
	})
	f := td("bad-rules.yaml")
	requireProblems(t, problems, -1,
		f+": alert AppErrorsTypo: metric app_request_total is in no scrape",
		f+`: alert AppWrongLabel: selector app_queue_depth{job="app",name="work"} matches on label "name", which no series of app_queue_depth has`,
		f+`: alert AppWrongLabel: label severity is "page"`,
		f+`: alert AppWrongLabel: runbook_url "https://example.invalid/docs/runbooks.md#nosuchanchor": testdata/runbooks.md has no heading with anchor "nosuchanchor"`,
		f+": alert AppWrongLabel: annotation summary uses $labels.name, but the expression's result has no such label",
		f+": alert AppLostLabel: annotation runbook_url is missing",
		f+": alert AppLostLabel: annotation summary uses $labels.pod, but the expression's result has no such label (it can have: code)",
		f+`: alert AppLostLabel: annotation summary: expanding for {code="200"}`,
		f+": rules: ",
		f+": alert AppSyntax: PromQL: ",
	)
}

func TestBadDashboard(t *testing.T) {
	problems, _ := run(t, Options{Dashboards: []string{td("bad-dashboard.json")}, Scrapes: []Scrape{appScrape()}})
	f := td("bad-dashboard.json")
	requireProblems(t, problems, -1,
		f+": dashboard: schemaVersion 30, want at least 36",
		f+`: variable namespace: label_values(app_queue_depth, kubernetes_namespace)`,
		f+`: panel "Requests per second": datasource uid "P1809F7CD0C75ACF3": use "${DS_PROMETHEUS}"`,
		f+`: panel "Requests per second" (A): metric app_request_total is in no scrape`,
		f+`: panel "Requests per second" (B): unknown variable $namspace`,
		f+`: panel "Requests per second" (B): legend "{{status}}" names label "status", which no result series has`,
		f+`: panel "Latency": id 2 is also the id of panel "Requests per second"`,
		f+`: panel "Latency" (A): PromQL: `,
		f+`: panel "Latency" (B): evaluation: PromQL info: metric might not be a counter`,
	)
}

// TestUnknownMetricFails is the point of the tool: a good rule file and dashboard fail against
// the scrape of a version of the app that renamed its metrics.
func TestUnknownMetricFails(t *testing.T) {
	renamed := appScrape()
	renamed.Path = td("renamed.prom")
	problems, _ := run(t, Options{
		Rules:      []string{td("good-rules.yaml")},
		Dashboards: []string{td("good-dashboard.json")},
		Scrapes:    []Scrape{renamed},
	})
	requireProblems(t, problems, 4,
		td("good-rules.yaml")+": alert AppErrors: metric app_requests_total is in no scrape (scrapes: app)",
		td("good-dashboard.json")+`: panel "Requests per second" (A): metric app_requests_total is in no scrape`,
		td("good-dashboard.json")+`: panel "Requests per second" (B): metric app_requests_total is in no scrape`,
		td("good-dashboard.json")+`: panel "Latency": metric app_request_duration_seconds_bucket is in no scrape`,
	)
	// Allowed as external (say, another exporter's), the names pass.
	problems, _ = run(t, Options{
		Rules:         []string{td("good-rules.yaml")},
		Dashboards:    []string{td("good-dashboard.json")},
		Scrapes:       []Scrape{renamed},
		AllowExternal: []string{"app_requests_total", "app_request_duration_seconds_bucket"},
	})
	requireProblems(t, problems, 0)
}

func TestExtraLabels(t *testing.T) {
	s := appScrape()
	delete(s.Target, "pod")
	problems, _ := run(t, Options{Rules: []string{td("good-rules.yaml")}, Scrapes: []Scrape{s}})
	requireProblems(t, problems, -1, `by (namespace, pod, code): label "pod"`)
	problems, _ = run(t, Options{Rules: []string{td("good-rules.yaml")}, Scrapes: []Scrape{s}, ExtraLabels: []string{"pod"}})
	requireProblems(t, problems, 0)
}

func TestBadScrape(t *testing.T) {
	_, _, err := Run(context.Background(), Options{Rules: []string{td("good-rules.yaml")},
		Scrapes: []Scrape{{Name: "app", Path: td("malformed.prom")}}})
	if err == nil || !strings.Contains(err.Error(), "malformed.prom") {
		t.Fatalf("error %v, want a parse error naming the file", err)
	}
	_, _, err = Run(context.Background(), Options{Rules: []string{td("good-rules.yaml")},
		Scrapes: []Scrape{appScrape(), appScrape()}})
	if err == nil || !strings.Contains(err.Error(), "distinct target labels") {
		t.Fatalf("error %v, want duplicate series", err)
	}
}

func TestMarkdownAnchors(t *testing.T) {
	for heading, want := range map[string]string{
		"KmmOperatorDown":              "kmmoperatordown",
		"Why 100 requests/s, too":      "why-100-requestss-too",
		"Migration from Strimzi 0.46+": "migration-from-strimzi-046",
		"snake_case and-dash":          "snake_case-and-dash",
	} {
		if got := slugify(heading); got != want {
			t.Errorf("slugify(%q) = %q, want %q", heading, got, want)
		}
	}
}
