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
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// minSchemaVersion is the oldest dashboard schema accepted (Grafana 9).
const minSchemaVersion = 36

type dashboard struct {
	Title         string     `json:"title"`
	UID           string     `json:"uid"`
	SchemaVersion int        `json:"schemaVersion"`
	Panels        []panel    `json:"panels"`
	Rows          []struct{} `json:"rows"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int             `json:"id"`
	Title      string          `json:"title"`
	Type       string          `json:"type"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []target        `json:"targets"`
	Panels     []panel         `json:"panels"` // a collapsed row's panels
	GridPos    *struct {
		H, W, X, Y int
	} `json:"gridPos"`
}

type target struct {
	RefID        string          `json:"refId"`
	Expr         string          `json:"expr"`
	LegendFormat string          `json:"legendFormat"`
	Datasource   json.RawMessage `json:"datasource"`
	Hide         bool            `json:"hide"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Datasource json.RawMessage `json:"datasource"`
	Current    struct {
		Value any `json:"value"`
	} `json:"current"`
	Options []struct {
		Value any `json:"value"`
	} `json:"options"`
}

// builtins are Grafana's global variables, with values that make valid PromQL.
var builtins = map[string]string{
	"__interval":      "1m",
	"__interval_ms":   "60000",
	"__rate_interval": "4m",
	"__range":         "1h",
	"__range_s":       "3600",
	"__range_ms":      "3600000",
	"__dashboard":     "dashboard",
	"__name":          "name",
	"__org":           "1",
	"__user":          "user",
	"__all":           ".*",
	"__from":          "0",
	"__to":            "0",
	"timeFilter":      "",
}

var varRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\[\[([A-Za-z_][A-Za-z0-9_]*)(?::[^\]]*)?\]\]|\$([A-Za-z_][A-Za-z0-9_]*)`)

// checkDashboard checks a dashboard's structure (schema version, a Prometheus datasource
// variable that every panel and query uses, unique panel ids) and queues every query of its
// panels and variables with the variables replaced by valid placeholders.
func (c *checker) checkDashboard(ctx context.Context, path string) {
	c.summary.Dashboards++
	b, err := os.ReadFile(path)
	if err != nil {
		c.problem(path, "file", "%v", err)
		return
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		c.problem(path, "file", "JSON: %v", err)
		return
	}
	if d.Title == "" {
		c.problem(path, "dashboard", "no title")
	}
	if d.UID == "" {
		c.problem(path, "dashboard", "no uid: the Grafana sidecar and links need a stable one")
	}
	if d.SchemaVersion < minSchemaVersion {
		c.problem(path, "dashboard", "schemaVersion %d, want at least %d", d.SchemaVersion, minSchemaVersion)
	}
	if len(d.Rows) > 0 {
		c.problem(path, "dashboard", "old-style rows: use panels of type row")
	}

	values := map[string]string{}
	for k, v := range builtins {
		values[k] = v
	}
	dsVar := ""
	for _, v := range d.Templating.List {
		switch v.Type {
		case "datasource":
			var q string
			_ = json.Unmarshal(v.Query, &q)
			if q == "prometheus" && dsVar == "" {
				dsVar = v.Name
			}
			values[v.Name] = "prometheus"
		case "query":
			values[v.Name] = ".*"
		default: // custom, constant, interval, textbox: their current or first value
			values[v.Name] = firstValue(v)
		}
	}
	if dsVar == "" {
		c.problem(path, "dashboard", "no datasource variable of type prometheus (e.g. DS_PROMETHEUS): the dashboard would not import without edits")
	}
	subst := func(item, s string) string {
		return varRe.ReplaceAllStringFunc(s, func(m string) string {
			sm := varRe.FindStringSubmatch(m)
			name := sm[1] + sm[2] + sm[3]
			v, ok := values[name]
			if !ok {
				c.problem(path, item, "unknown variable $%s", name)
				return ".*"
			}
			return v
		})
	}

	for _, v := range d.Templating.List {
		item := "variable " + v.Name
		c.summary.Variables++
		if v.Type != "query" {
			continue
		}
		c.checkDatasourceRef(path, item, v.Datasource, dsVar, false)
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			var obj struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &obj); err != nil {
				c.problem(path, item, "query is neither a string nor an object with a query")
				continue
			}
			q = obj.Query
		}
		c.checkVariableQuery(ctx, path, item, subst(item, q))
	}

	ids := map[int]string{}
	var walk func(panels []panel)
	walk = func(panels []panel) {
		for _, p := range panels {
			c.summary.Panels++
			item := fmt.Sprintf("panel %q", p.Title)
			if p.Title == "" {
				item = fmt.Sprintf("panel id %d", p.ID)
				if p.Type != "row" && p.Type != "text" {
					c.problem(path, item, "no title")
				}
			}
			if other, dup := ids[p.ID]; dup {
				c.problem(path, item, "id %d is also the id of %s", p.ID, other)
			}
			ids[p.ID] = item
			if p.GridPos == nil {
				c.problem(path, item, "no gridPos")
			}
			walk(p.Panels)
			if p.Type == "row" || p.Type == "text" {
				continue
			}
			if len(p.Targets) == 0 {
				c.problem(path, item, "no queries")
			}
			c.checkDatasourceRef(path, item, p.Datasource, dsVar, false)
			for _, t := range p.Targets {
				titem := item
				if len(p.Targets) > 1 {
					titem = fmt.Sprintf("%s (%s)", item, t.RefID)
				}
				c.checkDatasourceRef(path, titem, t.Datasource, dsVar, true)
				if strings.TrimSpace(t.Expr) == "" {
					c.problem(path, titem, "empty expr")
					continue
				}
				c.summary.Queries++
				c.queries = append(c.queries, query{file: path, item: titem, expr: subst(titem, t.Expr), legend: t.LegendFormat})
			}
		}
	}
	walk(d.Panels)
}

// checkDatasourceRef requires a reference to the dashboard's datasource variable ({"type":
// "prometheus", "uid": "${DS_PROMETHEUS}"}), so that the dashboard imports without edits.
// A query may leave it out (it then uses its panel's).
func (c *checker) checkDatasourceRef(path, item string, raw json.RawMessage, dsVar string, optional bool) {
	if dsVar == "" {
		return
	}
	if len(raw) == 0 || string(raw) == "null" {
		if !optional {
			c.problem(path, item, "no datasource: use {\"type\": \"prometheus\", \"uid\": \"${%s}\"}", dsVar)
		}
		return
	}
	var ref struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		ref.UID = s
	} else if err := json.Unmarshal(raw, &ref); err != nil {
		c.problem(path, item, "datasource: %v", err)
		return
	}
	if ref.UID != "${"+dsVar+"}" && ref.UID != "$"+dsVar {
		c.problem(path, item, "datasource uid %q: use \"${%s}\" so the dashboard imports without edits", ref.UID, dsVar)
	}
}

var (
	labelValuesRe = regexp.MustCompile(`^\s*label_values\(\s*(?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)
	queryResultRe = regexp.MustCompile(`^\s*query_result\((.*)\)\s*$`)
)

// checkVariableQuery checks a query variable: label_values(selector, label) must select a
// scraped metric that has the label (and, with scrapes, give values); query_result(expr) is
// checked as any query.
func (c *checker) checkVariableQuery(ctx context.Context, path, item, q string) {
	if m := queryResultRe.FindStringSubmatch(q); m != nil {
		c.queries = append(c.queries, query{file: path, item: item, expr: m[1]})
		return
	}
	m := labelValuesRe.FindStringSubmatch(q)
	if m == nil {
		if !strings.HasPrefix(strings.TrimSpace(q), "metrics(") && !strings.HasPrefix(strings.TrimSpace(q), "label_names(") {
			c.problem(path, item, "query %q: not label_values(...), query_result(...), metrics(...) or label_names()", q)
		}
		return
	}
	selector, label := m[1], m[2]
	var matchers []*labels.Matcher
	if selector != "" {
		var err error
		if matchers, err = c.parser.ParseMetricSelector(selector); err != nil {
			c.problem(path, item, "label_values selector %q: %v", selector, err)
			return
		}
	}
	if !c.haveScrapes() {
		return
	}
	q2 := query{file: path, item: item}
	if selector != "" {
		vs := &parser.VectorSelector{LabelMatchers: matchers}
		c.checkSelector(q2, vs)
		c.checkGrouping(q2, "label_values", []string{label}, vs)
	} else if !c.anyMetricHas(label) && !c.extra[label] {
		c.problem(path, item, "label_values(%s): no scraped series has that label", label)
	}
	querier, err := c.db.Querier(c.evalTime.Add(-replaySpan).UnixMilli(), c.evalTime.UnixMilli())
	if err != nil {
		c.problem(path, item, "querying label values: %v", err)
		return
	}
	defer querier.Close()
	vals, _, err := querier.LabelValues(ctx, label, nil, matchers...)
	if err != nil {
		c.problem(path, item, "querying label values: %v", err)
		return
	}
	c.logf("%s: %s: %d values", path, item, len(vals))
	if len(vals) == 0 && !c.extra[label] {
		c.problem(path, item, "label_values(%s, %s) gives no values on the scrapes", selector, label)
	}
}

func (c *checker) anyMetricHas(label string) bool {
	for _, ls := range c.index {
		if ls[label] {
			return true
		}
	}
	return false
}

func firstValue(v variable) string {
	pick := func(x any) string {
		switch t := x.(type) {
		case string:
			return t
		case []any:
			if len(t) > 0 {
				if s, ok := t[0].(string); ok {
					return s
				}
			}
		}
		return ""
	}
	if s := pick(v.Current.Value); s != "" && s != "$__all" {
		return s
	}
	for _, o := range v.Options {
		if s := pick(o.Value); s != "" && s != "$__all" {
			return s
		}
	}
	return ".*"
}
