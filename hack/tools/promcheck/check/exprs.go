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
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// checkQuery parses one expression, checks the metrics and labels it names against the
// scrapes, evaluates it there and checks what uses its result (legend, alert templates).
func (c *checker) checkQuery(ctx context.Context, q query) {
	expr, err := c.parser.ParseExpr(q.expr)
	if err != nil {
		c.problem(q.file, q.item, "PromQL: %v (expression: %s)", err, oneLine(q.expr))
		return
	}
	if !c.haveScrapes() {
		return
	}
	c.checkNames(q, expr)
	if q.alert != nil {
		c.checkTemplateLabels(q, expr)
	}
	c.evaluate(ctx, q)
}

// checkNames walks the AST: every vector selector must name a scraped (or allowed external, or
// recorded) metric and match only labels its series have; every by/on/group_left label must be
// on some series below it.
func (c *checker) checkNames(q query, expr parser.Expr) {
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			c.checkSelector(q, n)
		case *parser.AggregateExpr:
			if !n.Without && len(n.Grouping) > 0 {
				c.checkGrouping(q, "by", n.Grouping, n.Expr)
			}
		case *parser.BinaryExpr:
			if vm := n.VectorMatching; vm != nil {
				if vm.On && len(vm.MatchingLabels) > 0 {
					c.checkGrouping(q, "on", vm.MatchingLabels, n.LHS, n.RHS)
				}
				if len(vm.Include) > 0 {
					c.checkGrouping(q, "group_left/group_right", vm.Include, n.LHS, n.RHS)
				}
			}
		}
		return nil
	})
}

// selectorMetrics returns the metric names a selector selects: its name, or the scraped names
// its __name__ matchers match.
func (c *checker) selectorMetrics(vs *parser.VectorSelector) []string {
	if vs.Name != "" {
		return []string{vs.Name}
	}
	var nameMatchers []*labels.Matcher
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			if m.Type == labels.MatchEqual {
				return []string{m.Value}
			}
			nameMatchers = append(nameMatchers, m)
		}
	}
	if len(nameMatchers) == 0 {
		return nil
	}
	var names []string
	for name := range c.index {
		ok := true
		for _, m := range nameMatchers {
			ok = ok && m.Matches(name)
		}
		if ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (c *checker) checkSelector(q query, vs *parser.VectorSelector) {
	names := c.selectorMetrics(vs)
	if len(names) == 0 {
		c.problem(q.file, q.item, "selector %s matches no metric of the scrapes (%s)", vs, c.scrapeNames())
		return
	}
	have := map[string]bool{}
	for _, name := range names {
		if c.external[name] || c.recorded[name] {
			return // labels unknown here
		}
		ls, ok := c.index[name]
		if !ok {
			c.problem(q.file, q.item, "metric %s is in no scrape (%s); neither allowed as external nor recorded by a rule", name, c.scrapeNames())
			return
		}
		for l := range ls {
			have[l] = true
		}
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName || have[m.Name] || c.extra[m.Name] {
			continue
		}
		c.problem(q.file, q.item, "selector %s matches on label %q, which no series of %s has (it has: %s)",
			vs, m.Name, strings.Join(names, ", "), strings.Join(sortedKeys(have), ", "))
	}
}

// checkGrouping checks that each label of a by/on/group_* clause exists on some series
// selected under exprs, or is made there by label_replace, label_join or count_values.
func (c *checker) checkGrouping(q query, clause string, grouping []string, exprs ...parser.Expr) {
	have := map[string]bool{}
	known := true
	for _, e := range exprs {
		parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
			switch n := node.(type) {
			case *parser.VectorSelector:
				for _, name := range c.selectorMetrics(n) {
					ls, ok := c.index[name]
					if !ok {
						known = false // reported by checkSelector, or external/recorded
					}
					for l := range ls {
						have[l] = true
					}
				}
			case *parser.Call:
				if (n.Func.Name == "label_replace" || n.Func.Name == "label_join") && len(n.Args) > 1 {
					if s, ok := n.Args[1].(*parser.StringLiteral); ok {
						have[s.Val] = true
					}
				}
			case *parser.AggregateExpr:
				if n.Op == parser.COUNT_VALUES {
					if s, ok := n.Param.(*parser.StringLiteral); ok {
						have[s.Val] = true
					}
				}
			}
			return nil
		})
	}
	if !known || len(have) == 0 {
		return
	}
	for _, l := range grouping {
		if !have[l] && !c.extra[l] {
			c.problem(q.file, q.item, "%s (%s): label %q is on no series of the metrics it aggregates or matches", clause, strings.Join(grouping, ", "), l)
		}
	}
}

// evaluate runs the expression as an instant query at the end of the replayed scrapes.
func (c *checker) evaluate(ctx context.Context, q query) {
	qry, err := c.engine.NewInstantQuery(ctx, c.db, nil, q.expr, c.evalTime)
	if err != nil {
		c.problem(q.file, q.item, "evaluation: %v", err)
		return
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		c.problem(q.file, q.item, "evaluation: %v", res.Err)
		return
	}
	warnings, infos := res.Warnings.AsStrings(q.expr, 0, 0)
	for _, w := range append(warnings, infos...) {
		c.problem(q.file, q.item, "evaluation: %s", w)
	}
	var series []labels.Labels
	var vector promql.Vector
	switch v := res.Value.(type) {
	case promql.Vector:
		vector = v
		for _, s := range v {
			series = append(series, s.Metric)
		}
	case promql.Matrix:
		for _, s := range v {
			series = append(series, s.Metric)
		}
	case promql.Scalar:
		series = append(series, labels.EmptyLabels())
	}
	c.logf("%s: %s: %d series", q.file, q.item, len(series))
	if q.legend != "" && len(series) > 0 {
		for _, l := range legendLabels(q.legend) {
			found := false
			for _, s := range series {
				found = found || s.Has(l)
			}
			if !found {
				c.problem(q.file, q.item, "legend %q names label %q, which no result series has", q.legend, l)
			}
		}
	}
	if q.alert != nil {
		c.expandAlert(ctx, q, vector)
	}
}

var legendRe = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// legendLabels returns the label names a Grafana legend format refers to ({{pod}}).
func legendLabels(legend string) []string {
	var out []string
	for _, m := range legendRe.FindAllStringSubmatch(legend, -1) {
		out = append(out, m[1])
	}
	return out
}

func (c *checker) scrapeNames() string {
	var names []string
	for _, s := range c.opts.Scrapes {
		names = append(names, s.Name)
	}
	return "scrapes: " + strings.Join(names, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// outputLabels returns the label names the series of an expression's result can carry (known
// is false when that cannot be told, e.g. for a metric of no scrape). It follows PromQL's rules:
// aggregations keep their by labels, binary operators the left side's (plus group_left's),
// "or" both sides', absent() its equality matchers', histogram_quantile drops le.
func (c *checker) outputLabels(expr parser.Expr) (out map[string]bool, known bool) {
	switch n := expr.(type) {
	case *parser.VectorSelector:
		out = map[string]bool{}
		for _, name := range c.selectorMetrics(n) {
			ls, ok := c.index[name]
			if !ok {
				return nil, false
			}
			for l := range ls {
				out[l] = true
			}
		}
		for l := range c.extra {
			out[l] = true
		}
		return out, true
	case *parser.MatrixSelector:
		return c.outputLabels(n.VectorSelector)
	case *parser.SubqueryExpr:
		return c.outputLabels(n.Expr)
	case *parser.ParenExpr:
		return c.outputLabels(n.Expr)
	case *parser.StepInvariantExpr:
		return c.outputLabels(n.Expr)
	case *parser.UnaryExpr:
		return c.outputLabels(n.Expr)
	case *parser.NumberLiteral, *parser.StringLiteral:
		return map[string]bool{}, true
	case *parser.AggregateExpr:
		if !n.Without {
			out = map[string]bool{}
			for _, l := range n.Grouping {
				out[l] = true
			}
			if n.Op == parser.COUNT_VALUES {
				if s, ok := n.Param.(*parser.StringLiteral); ok {
					out[s.Val] = true
				}
			}
			if n.Op == parser.TOPK || n.Op == parser.BOTTOMK || n.Op == parser.LIMITK || n.Op == parser.LIMIT_RATIO {
				return c.outputLabels(n.Expr)
			}
			return out, true
		}
		in, ok := c.outputLabels(n.Expr)
		if !ok {
			return nil, false
		}
		for _, l := range n.Grouping {
			delete(in, l)
		}
		return in, true
	case *parser.Call:
		switch n.Func.Name {
		case "absent", "absent_over_time":
			out = map[string]bool{}
			parser.Inspect(n.Args[0], func(node parser.Node, _ []parser.Node) error {
				if vs, ok := node.(*parser.VectorSelector); ok {
					for _, m := range vs.LabelMatchers {
						if m.Type == labels.MatchEqual && m.Name != labels.MetricName {
							out[m.Name] = true
						}
					}
				}
				return nil
			})
			return out, true
		case "vector", "time", "scalar", "pi":
			return map[string]bool{}, true
		}
		var in map[string]bool
		for _, a := range n.Args {
			if a.Type() == parser.ValueTypeVector || a.Type() == parser.ValueTypeMatrix {
				var ok bool
				if in, ok = c.outputLabels(a); !ok {
					return nil, false
				}
				break
			}
		}
		if in == nil {
			in = map[string]bool{}
		}
		switch n.Func.Name {
		case "histogram_quantile", "histogram_fraction":
			delete(in, "le")
		case "label_replace", "label_join":
			if s, ok := n.Args[1].(*parser.StringLiteral); ok {
				in[s.Val] = true
			}
		}
		return in, true
	case *parser.BinaryExpr:
		lhs, lok := c.outputLabels(n.LHS)
		rhs, rok := c.outputLabels(n.RHS)
		if !lok || !rok {
			return nil, false
		}
		switch {
		case n.LHS.Type() == parser.ValueTypeScalar:
			return rhs, true
		case n.RHS.Type() == parser.ValueTypeScalar:
			return lhs, true
		case n.Op == parser.LOR:
			for l := range rhs {
				lhs[l] = true
			}
			return lhs, true
		}
		if vm := n.VectorMatching; vm != nil {
			if vm.Card == parser.CardOneToMany {
				lhs, rhs = rhs, lhs
			}
			for _, l := range vm.Include {
				lhs[l] = true
			}
		}
		return lhs, true
	}
	return nil, false
}

var templateLabelRe = regexp.MustCompile(`\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)|index\s+\$labels\s+"([^"]+)"`)

// checkTemplateLabels checks that the $labels.x of an alert's templates are labels its
// expression's result can carry: it catches a label lost to an aggregation even when the
// alert does not fire on the scrapes.
func (c *checker) checkTemplateLabels(q query, expr parser.Expr) {
	out, known := c.outputLabels(expr)
	if !known {
		return
	}
	for _, kind := range []struct {
		what string
		m    map[string]string
	}{{"label", q.alert.labels}, {"annotation", q.alert.annotations}} {
		for k, text := range kind.m {
			for _, m := range templateLabelRe.FindAllStringSubmatch(text, -1) {
				l := m[1] + m[2]
				if !out[l] {
					c.problem(q.file, q.item, "%s %s uses $labels.%s, but the expression's result has no such label (it can have: %s)",
						kind.what, k, l, strings.Join(sortedKeys(out), ", "))
				}
			}
		}
	}
}
