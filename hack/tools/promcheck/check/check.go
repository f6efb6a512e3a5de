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

// Package check checks Prometheus alerting rules (a PrometheusRule or a plain rules file) and
// Grafana dashboards with Prometheus' own code: the rules as promtool's "check rules" does
// (model/rulefmt), every expression with the PromQL parser, and, given scrapes of the real
// processes in the text exposition format, every alert expression and dashboard query evaluated
// by the PromQL engine on those samples. An expression that names a metric no scrape has, or
// matches or groups on a label no series of that metric has, is a problem: an alert that can
// never fire, a panel that can never show anything.
package check

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// Scrape is one scraped target: a file in the Prometheus text exposition format and the target
// labels the scrape configuration (a PodMonitor's relabelings) would add to its series.
type Scrape struct {
	// Name identifies the scrape in messages; job and instance default to it.
	Name string
	Path string
	// Target labels are added to every series of the scrape, and to its synthetic up series,
	// with Prometheus' honor_labels: false rule: a scraped label of the same name is kept as
	// exported_<name>.
	Target map[string]string
}

// Options say what to check.
type Options struct {
	// Rules are PrometheusRule manifests (monitoring.coreos.com/v1) or plain Prometheus rule
	// files.
	Rules []string
	// Dashboards are Grafana dashboard JSON files.
	Dashboards []string
	// Scrapes, when given, are loaded into an in-memory storage (at several timestamps, counters
	// growing, so that rate() has something to work on) and every expression is evaluated
	// there; expressions must then only name metrics of these scrapes.
	Scrapes []Scrape
	// AllowExternal are metric names that may appear in expressions without being in any
	// scrape (e.g. cAdvisor's or kube-state-metrics' series); their labels are not checked.
	AllowExternal []string
	// ExtraLabels are label names that may be matched or grouped on though no scraped series
	// has them (labels the scrape configuration adds and Target does not simulate).
	ExtraLabels []string
	// RunbookDoc, when set, is the Markdown file whose headings (or <a name> anchors) every
	// alert's runbook_url fragment must name.
	RunbookDoc string
	// Severities allowed in an alert's severity label; default critical, warning, info.
	Severities []string
	// Log, when set, receives a line per checked expression (result size).
	Log io.Writer
}

// Problem is one finding, printed as "<file>: <item>: <message>".
type Problem struct {
	File, Item, Msg string
}

func (p Problem) String() string { return p.File + ": " + p.Item + ": " + p.Msg }

// Summary counts what was checked.
type Summary struct {
	RuleFiles, Alerts, Records, Dashboards, Panels, Queries, Variables, Scrapes, Series, Metrics int
}

func (s Summary) String() string {
	return fmt.Sprintf("%d rule files (%d alerts, %d recording rules), %d dashboards (%d panels, %d queries, %d variables), %d scrapes (%d series of %d metrics)",
		s.RuleFiles, s.Alerts, s.Records, s.Dashboards, s.Panels, s.Queries, s.Variables, s.Scrapes, s.Series, s.Metrics)
}

// query is one expression to check, with what to check it against after evaluation.
type query struct {
	file, item string
	expr       string
	// legend is a panel's legendFormat: the labels it names must be in the result.
	legend string
	// alert, when set, has its annotations and labels expanded for each result sample.
	alert *alertTemplates
}

type checker struct {
	opts     Options
	parser   parser.Parser
	problems []Problem
	seen     map[Problem]bool
	summary  Summary

	db       *memStore
	engine   *promql.Engine
	evalTime time.Time
	// index maps each metric name of the scrapes to its label names.
	index    map[string]map[string]bool
	external map[string]bool
	extra    map[string]bool
	// recorded are the names of recording rules: metrics the rules themselves create.
	recorded map[string]bool
	queries  []query
}

// Run checks everything opts names. Problems are findings; the error is for what could not be
// checked at all (an unreadable or unparsable scrape file).
func Run(ctx context.Context, opts Options) ([]Problem, Summary, error) {
	c := &checker{
		opts:     opts,
		parser:   parser.NewParser(parser.Options{}),
		seen:     map[Problem]bool{},
		external: set(opts.AllowExternal),
		extra:    set(opts.ExtraLabels),
		recorded: map[string]bool{},
	}
	if len(c.opts.Severities) == 0 {
		c.opts.Severities = []string{"critical", "warning", "info"}
	}
	if err := c.loadScrapes(); err != nil {
		return nil, c.summary, err
	}
	for _, f := range opts.Rules {
		c.checkRuleFile(f)
	}
	for _, f := range opts.Dashboards {
		c.checkDashboard(ctx, f)
	}
	for _, q := range c.queries {
		c.checkQuery(ctx, q)
	}
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].File < c.problems[j].File })
	return c.problems, c.summary, nil
}

func (c *checker) problem(file, item, format string, args ...any) {
	p := Problem{File: file, Item: item, Msg: fmt.Sprintf(format, args...)}
	if c.seen[p] {
		return
	}
	c.seen[p] = true
	c.problems = append(c.problems, p)
}

func (c *checker) logf(format string, args ...any) {
	if c.opts.Log != nil {
		fmt.Fprintf(c.opts.Log, format+"\n", args...)
	}
}

// haveScrapes reports whether expressions are checked against scraped series.
func (c *checker) haveScrapes() bool { return c.db != nil }

func set(items []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			m[s] = true
		}
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
