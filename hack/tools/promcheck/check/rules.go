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
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/model/timestamp"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/template"
	"go.yaml.in/yaml/v3"
)

// alertTemplates are what Prometheus expands for each firing sample of an alert.
type alertTemplates struct {
	name        string
	labels      map[string]string
	annotations map[string]string
}

// checkRuleFile checks a PrometheusRule (its spec.groups) or a plain rules file as promtool's
// "check rules" does, plus the conventions every alert here follows (severity, summary,
// description, runbook_url into the runbook document), and queues its expressions.
func (c *checker) checkRuleFile(path string) {
	c.summary.RuleFiles++
	b, err := os.ReadFile(path)
	if err != nil {
		c.problem(path, "file", "%v", err)
		return
	}
	groupsYAML, err := ruleGroupsYAML(b)
	if err != nil {
		c.problem(path, "file", "%v", err)
		return
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	groups, errs := rulefmt.Parse(groupsYAML, false, model.LegacyValidation, c.parser, logger)
	for _, e := range errs {
		c.problem(path, "rules", "%v", e)
	}
	if groups == nil {
		return
	}
	var anchors map[string]bool
	if c.opts.RunbookDoc != "" {
		if anchors, err = markdownAnchors(c.opts.RunbookDoc); err != nil {
			c.problem(path, "runbooks", "%v", err)
		}
	}
	severities := set(c.opts.Severities)
	seen := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				c.summary.Records++
				c.recorded[r.Record] = true
				c.queries = append(c.queries, query{file: path, item: "record " + r.Record, expr: r.Expr})
				continue
			}
			c.summary.Alerts++
			item := "alert " + r.Alert
			key := r.Alert + fmt.Sprint(r.Labels)
			if seen[key] {
				c.problem(path, item, "duplicate: another alert of group %q has the same name and labels", g.Name)
			}
			seen[key] = true
			if sev := r.Labels["severity"]; !severities[sev] {
				c.problem(path, item, "label severity is %q, want one of %s", sev, strings.Join(c.opts.Severities, ", "))
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					c.problem(path, item, "annotation %s is missing", a)
				}
			}
			if u := r.Annotations["runbook_url"]; u != "" && c.opts.RunbookDoc != "" {
				c.checkRunbook(path, item, u, anchors)
			}
			c.queries = append(c.queries, query{file: path, item: item, expr: r.Expr,
				alert: &alertTemplates{name: r.Alert, labels: r.Labels, annotations: r.Annotations}})
		}
	}
}

// ruleGroupsYAML returns the rule groups document: the spec of a PrometheusRule, or the whole
// file for a plain Prometheus rules file.
func ruleGroupsYAML(b []byte) ([]byte, error) {
	var doc struct {
		APIVersion string    `yaml:"apiVersion"`
		Kind       string    `yaml:"kind"`
		Spec       yaml.Node `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == "" {
		return b, nil // a plain rules file
	}
	if doc.Kind != "PrometheusRule" || doc.APIVersion != "monitoring.coreos.com/v1" {
		return nil, fmt.Errorf("kind %q, apiVersion %q: want a PrometheusRule of monitoring.coreos.com/v1", doc.Kind, doc.APIVersion)
	}
	if doc.Spec.Kind == 0 {
		return nil, fmt.Errorf("the PrometheusRule has no spec")
	}
	if spec, ok := specLines(b); ok {
		return spec, nil
	}
	return yaml.Marshal(&doc.Spec)
}

// specLines cuts the block of a top-level "spec:" key out of a manifest, de-indented and after
// as many empty lines as precede it, so that the rule parser's line numbers are the file's.
func specLines(b []byte) ([]byte, bool) {
	lines := strings.SplitAfter(string(b), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimRight(l, " \r\n") == "spec:" {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, false
	}
	var out strings.Builder
	out.WriteString(strings.Repeat("\n", start+1))
	indent := -1
	for _, l := range lines[start+1:] {
		trimmed := strings.TrimLeft(l, " ")
		if trimmed == "" || trimmed == "\n" || strings.HasPrefix(trimmed, "#") {
			out.WriteString("\n")
			continue
		}
		n := len(l) - len(trimmed)
		if n == 0 {
			break // the next top-level key
		}
		if indent < 0 {
			indent = n
		}
		if n < indent {
			return nil, false
		}
		out.WriteString(l[indent:])
	}
	return []byte(out.String()), indent > 0
}

// checkRunbook checks that a runbook_url points at the runbook document and that its fragment
// is one of the document's anchors.
func (c *checker) checkRunbook(path, item, raw string, anchors map[string]bool) {
	u, err := url.Parse(raw)
	if err != nil {
		c.problem(path, item, "runbook_url %q: %v", raw, err)
		return
	}
	if !strings.HasSuffix(u.Path, "/"+filepath.Base(c.opts.RunbookDoc)) && u.Path != filepath.Base(c.opts.RunbookDoc) {
		c.problem(path, item, "runbook_url %q does not point at %s", raw, filepath.Base(c.opts.RunbookDoc))
		return
	}
	if u.Fragment == "" {
		c.problem(path, item, "runbook_url %q has no #anchor", raw)
		return
	}
	if anchors != nil && !anchors[u.Fragment] {
		c.problem(path, item, "runbook_url %q: %s has no heading with anchor %q", raw, c.opts.RunbookDoc, u.Fragment)
	}
}

var htmlAnchorRe = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)

// markdownAnchors returns the anchors of a Markdown file as GitHub renders them: one per
// heading (lower case, punctuation other than - and _ dropped, spaces as -, repeats numbered),
// plus explicit <a name> and <a id> anchors.
func markdownAnchors(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	anchors := map[string]bool{}
	counts := map[string]int{}
	fence := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			continue
		}
		for _, m := range htmlAnchorRe.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		if fence || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		slug := slugify(text)
		if n := counts[slug]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			anchors[slug] = true
		}
		counts[slug]++
	}
	return anchors, sc.Err()
}

func slugify(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// expandAlert expands an alert's labels and annotations for each sample of its result, as the
// rule manager does when the alert fires, but with missingkey=error: a $labels.x that the
// result does not have is a problem here, where Prometheus would print an empty string.
func (c *checker) expandAlert(ctx context.Context, q query, vector promql.Vector) {
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
	queryFunc := template.QueryFunc(c.templateQuery)
	external, _ := url.Parse("http://prometheus.invalid")
	for i, smpl := range vector {
		if i == 3 {
			break
		}
		lm := smpl.Metric.Map()
		for l := range c.extra {
			if _, ok := lm[l]; !ok {
				lm[l] = "<" + l + ">" // a label the scrape configuration adds, not simulated here
			}
		}
		data := template.AlertTemplateData(lm, nil, external.String(), smpl)
		for _, kind := range []struct {
			what string
			m    map[string]string
		}{{"label", q.alert.labels}, {"annotation", q.alert.annotations}} {
			for k, text := range kind.m {
				tmpl := template.NewTemplateExpander(ctx, defs+text, "__alert_"+q.alert.name, data,
					model.Time(timestamp.FromTime(c.evalTime)), queryFunc, external, []string{"missingkey=error"})
				out, err := tmpl.Expand()
				if err != nil {
					c.problem(q.file, q.item, "%s %s: expanding for %s: %v", kind.what, k, smpl.Metric, err)
					continue
				}
				if i == 0 {
					c.logf("  %s %s: %s", kind.what, k, oneLine(out))
				}
			}
		}
	}
}

// templateQuery is the query function of alert templates ({{ query "..." }}), as the rule
// manager's: an instant query whose scalar result becomes a one-sample vector.
func (c *checker) templateQuery(ctx context.Context, qs string, t time.Time) (promql.Vector, error) {
	qry, err := c.engine.NewInstantQuery(ctx, c.db, nil, qs, t)
	if err != nil {
		return nil, err
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		return nil, res.Err
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		return v, nil
	case promql.Scalar:
		return promql.Vector{promql.Sample{T: v.T, F: v.V}}, nil
	default:
		return nil, fmt.Errorf("rule result is not a vector or scalar")
	}
}
