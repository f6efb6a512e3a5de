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

// Command promcheck checks Prometheus alerting rules and Grafana dashboards with Prometheus'
// own rule parser, PromQL parser and query engine, against scrapes of the real processes:
//
//	promcheck --rules artifacts/monitoring/prometheusrule.yaml \
//	  --dashboards artifacts/monitoring/dashboards/kmm-operator.json \
//	  --scrape operator=operator.prom \
//	  --target operator=job=kmm-operator,namespace=kmm-operator,pod=kmm-operator-0 \
//	  --runbooks docs/alerts.md
//
// Each problem is printed as "<file>: <alert or panel>: <message>"; the exit code is 1 when
// there is any, 2 when the check could not run.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kmm-operator/kmm-operator/hack/tools/promcheck/check"
)

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// repeatFlag keeps each value whole (values contain commas).
type repeatFlag []string

func (r *repeatFlag) String() string     { return strings.Join(*r, " ") }
func (r *repeatFlag) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("promcheck", flag.ContinueOnError)
	var rules, dashboards, dirs, external, extra listFlag
	var scrapes, targets repeatFlag
	fs.Var(&rules, "rules", "PrometheusRule manifests or Prometheus rule files (comma-separated, repeatable)")
	fs.Var(&dashboards, "dashboards", "Grafana dashboard JSON files (comma-separated, repeatable)")
	fs.Var(&dirs, "dir", "a monitoring directory: its *.yaml PrometheusRules and dashboards/*.json (repeatable)")
	fs.Var(&scrapes, "scrape", "NAME=FILE: a scrape in the Prometheus text format (repeatable); expressions are evaluated on the scrapes and may only name their metrics")
	fs.Var(&targets, "target", "NAME=label=value,label=value: the target labels the scrape configuration adds to scrape NAME's series (default job=NAME,instance=NAME)")
	fs.Var(&external, "allow-external", "metric names that need not be in any scrape (comma-separated), e.g. cAdvisor's")
	fs.Var(&extra, "extra-labels", "label names that may be used though no scraped series has them (comma-separated)")
	runbooks := fs.String("runbooks", "", "Markdown file whose anchors every alert's runbook_url must name")
	verbose := fs.Bool("v", false, "print each checked expression with the size of its result")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: promcheck [flags]\n\nChecks alert rules and Grafana dashboards with Prometheus' parsers and engine. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "promcheck: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	opts := check.Options{Rules: rules, Dashboards: dashboards, AllowExternal: external, ExtraLabels: extra, RunbookDoc: *runbooks}
	for _, d := range dirs {
		rs, err := ruleFiles(d)
		if err != nil {
			fmt.Fprintf(os.Stderr, "promcheck: %v\n", err)
			return 2
		}
		ds, _ := filepath.Glob(filepath.Join(d, "dashboards", "*.json"))
		opts.Rules = append(opts.Rules, rs...)
		opts.Dashboards = append(opts.Dashboards, ds...)
	}
	if len(opts.Rules)+len(opts.Dashboards) == 0 {
		fmt.Fprintln(os.Stderr, "promcheck: nothing to check: give --rules, --dashboards or --dir")
		return 2
	}
	targetLabels := map[string]map[string]string{}
	for _, t := range targets {
		name, spec, ok := strings.Cut(t, "=")
		if !ok || name == "" {
			fmt.Fprintf(os.Stderr, "promcheck: --target %q: want NAME=label=value,...\n", t)
			return 2
		}
		m := map[string]string{}
		for _, kv := range strings.Split(spec, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				fmt.Fprintf(os.Stderr, "promcheck: --target %q: %q is not label=value\n", t, kv)
				return 2
			}
			m[k] = v
		}
		targetLabels[name] = m
	}
	names := map[string]bool{}
	for _, s := range scrapes {
		name, path, ok := strings.Cut(s, "=")
		if !ok || name == "" || path == "" {
			fmt.Fprintf(os.Stderr, "promcheck: --scrape %q: want NAME=FILE\n", s)
			return 2
		}
		if names[name] {
			fmt.Fprintf(os.Stderr, "promcheck: --scrape: name %q given twice\n", name)
			return 2
		}
		names[name] = true
		opts.Scrapes = append(opts.Scrapes, check.Scrape{Name: name, Path: path, Target: targetLabels[name]})
	}
	for name := range targetLabels {
		if !names[name] {
			fmt.Fprintf(os.Stderr, "promcheck: --target %s: no --scrape of that name\n", name)
			return 2
		}
	}
	if *verbose {
		opts.Log = os.Stdout
	}

	problems, summary, err := check.Run(context.Background(), opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "promcheck: %v\n", err)
		return 2
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	mode := "syntax only, no --scrape"
	if len(opts.Scrapes) > 0 {
		mode = "evaluated on the scrapes"
	}
	fmt.Fprintf(os.Stderr, "promcheck: %s; %s: %d problems\n", summary, mode, len(problems))
	if len(problems) > 0 {
		return 1
	}
	return 0
}

// ruleFiles returns the PrometheusRule manifests of a directory (the *.yaml files of that kind).
func ruleFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if strings.Contains(string(b), "\nkind: PrometheusRule") || strings.HasPrefix(string(b), "kind: PrometheusRule") {
			out = append(out, f)
		}
	}
	return out, nil
}
