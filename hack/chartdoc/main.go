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

// Command chartdoc writes the table of values of a Helm chart's README.md from its values.yaml
// comments and its values.schema.json:
//
//	go run ./hack/chartdoc                 # rewrite artifacts/helm/kmm-operator/README.md
//	go run ./hack/chartdoc -check          # exit 1 if it is stale (make verify)
//
// A value is documented by the comment block right above its key, from a line that starts with
// "# --" (helm-docs' convention); the lines of the block above that marker are notes for the
// reader of values.yaml only. A documented key is one row, whatever its value (a map such as
// resources is shown whole); an undocumented map is a group of rows (image.*); an undocumented
// leaf is an error. The type comes from values.schema.json, so every value must be in the schema,
// and every property of the schema must have a default in values.yaml. The table replaces what
// is between the BEGIN VALUES and END VALUES markers of README.md; the rest is hand-written.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

const (
	beginMarker = "<!-- BEGIN VALUES: generated from values.yaml and values.schema.json by `go run ./hack/chartdoc`; do not edit -->"
	endMarker   = "<!-- END VALUES -->"
	docMarker   = "# --"
)

func main() {
	chart := flag.String("chart", "artifacts/helm/kmm-operator", "the chart directory (values.yaml, values.schema.json, README.md)")
	check := flag.Bool("check", false, "do not write: exit 1 if README.md is not what would be written")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "chartdoc: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*chart, *check); err != nil {
		fmt.Fprintf(os.Stderr, "chartdoc: %v\n", err)
		os.Exit(1)
	}
}

func run(chart string, check bool) error {
	values, err := os.ReadFile(filepath.Join(chart, "values.yaml"))
	if err != nil {
		return err
	}
	schemaJSON, err := os.ReadFile(filepath.Join(chart, "values.schema.json"))
	if err != nil {
		return err
	}
	readmePath := filepath.Join(chart, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	rows, err := valueRows(values, schemaJSON)
	if err != nil {
		return err
	}
	want, err := replaceTable(string(readme), table(rows))
	if err != nil {
		return fmt.Errorf("%s: %v", readmePath, err)
	}
	if want == string(readme) {
		return nil
	}
	if check {
		return fmt.Errorf("%s is stale (%s); run `go run ./hack/chartdoc`", readmePath, firstDifference(string(readme), want))
	}
	return os.WriteFile(readmePath, []byte(want), 0o644)
}

// row is one value of the table.
type row struct {
	key, typ, def, description string
}

// valueRows walks values.yaml in its order and returns its documented values.
func valueRows(values, schemaJSON []byte) ([]row, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(values, &doc); err != nil {
		return nil, fmt.Errorf("values.yaml: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("values.yaml: not a map")
	}
	var schema map[string]any
	if err := json.Unmarshal(schemaJSON, &schema); err != nil {
		return nil, fmt.Errorf("values.schema.json: %v", err)
	}
	w := walker{lines: strings.Split(string(values), "\n"), schema: schema}
	if err := w.mapping(doc.Content[0], "", schema); err != nil {
		return nil, err
	}
	return w.rows, nil
}

type walker struct {
	lines  []string
	schema map[string]any
	rows   []row
}

// mapping adds the rows of the keys of m (at path prefix), whose schema is s.
func (w *walker) mapping(m *yaml.Node, prefix string, s map[string]any) error {
	props, _ := s["properties"].(map[string]any)
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := prefix + k.Value
		seen[k.Value] = true
		prop, ok := props[k.Value].(map[string]any)
		if !ok {
			return fmt.Errorf("values.yaml line %d: %s is not in values.schema.json", k.Line, key)
		}
		prop = w.resolve(prop)
		description := w.comment(k.Line)
		switch {
		case description != "":
			def, err := defaultOf(v)
			if err != nil {
				return fmt.Errorf("values.yaml line %d: %s: %v", k.Line, key, err)
			}
			w.rows = append(w.rows, row{key: key, typ: w.typeOf(prop), def: def, description: description})
		case v.Kind == yaml.MappingNode && len(v.Content) > 0:
			if err := w.mapping(v, key+".", prop); err != nil {
				return err
			}
		default:
			return fmt.Errorf("values.yaml line %d: %s has no %q comment: document it", k.Line, key, docMarker)
		}
	}
	// Every property of the schema has a default in values.yaml, so the table lists it. Helm's
	// global values are the exception: the schema admits them for a parent chart's sake.
	var missing []string
	for name := range props {
		if !seen[name] && !(prefix == "" && name == "global") {
			missing = append(missing, prefix+name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("values.schema.json has %s, which values.yaml does not set: give each a default and a %q comment",
			strings.Join(missing, ", "), docMarker)
	}
	return nil
}

// comment returns the documentation of the key on line (1-based): the comment block right above
// it, from its "# --" line on, as one line of text; "" when there is none.
func (w *walker) comment(line int) string {
	var block []string
	for i := line - 2; i >= 0; i-- {
		l := strings.TrimSpace(w.lines[i])
		if !strings.HasPrefix(l, "#") {
			break
		}
		block = append([]string{l}, block...)
	}
	for i, l := range block {
		if !strings.HasPrefix(l, docMarker) {
			continue
		}
		words := []string{strings.TrimSpace(strings.TrimPrefix(l, docMarker))}
		for _, l := range block[i+1:] {
			words = append(words, strings.TrimSpace(strings.TrimPrefix(l, "#")))
		}
		return strings.TrimSpace(strings.Join(words, " "))
	}
	return ""
}

// resolve follows a local $ref ("#/definitions/name").
func (w *walker) resolve(s map[string]any) map[string]any {
	for range 10 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		defs, _ := w.schema["definitions"].(map[string]any)
		target, ok := defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
		if !ok {
			return s
		}
		s = target
	}
	return s
}

// typeOf describes the type a schema admits: its JSON types, for lists the items' type, for
// maps the values' type, and the allowed values of an enum.
func (w *walker) typeOf(s map[string]any) string {
	s = w.resolve(s)
	if alts, ok := s["oneOf"].([]any); ok {
		var types []string
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok {
				if t := w.typeOf(m); !contains(types, t) {
					types = append(types, t)
				}
			}
		}
		return strings.Join(types, " or ")
	}
	var t string
	switch v := s["type"].(type) {
	case string:
		t = v
	case []any:
		var types []string
		for _, x := range v {
			types = append(types, fmt.Sprint(x))
		}
		t = strings.Join(types, " or ")
	default:
		t = "any"
	}
	switch t {
	case "array":
		if items, ok := s["items"].(map[string]any); ok {
			t = "list of " + w.typeOf(items)
		} else {
			t = "list"
		}
	case "object":
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			t = "map of " + w.typeOf(ap)
		} else if pp, ok := s["patternProperties"].(map[string]any); ok && len(pp) == 1 {
			for _, v := range pp {
				if m, ok := v.(map[string]any); ok {
					t = "map of " + w.typeOf(m)
				}
			}
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		var vals []string
		for _, e := range enum {
			b, _ := json.Marshal(e)
			vals = append(vals, string(b))
		}
		t += ", one of " + strings.Join(vals, ", ")
	}
	return t
}

// defaultOf returns the value as compact JSON (maps with sorted keys).
func defaultOf(v *yaml.Node) (string, error) {
	var x any
	if err := v.Decode(&x); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// table renders the rows as a Markdown table.
func table(rows []row) string {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	code := func(s string) string {
		// A code span that contains backticks needs a longer fence.
		fence := "`"
		for strings.Contains(s, fence) {
			fence += "`"
		}
		if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
			s = " " + s + " "
		}
		return fence + cell(s) + fence
	}
	var b strings.Builder
	b.WriteString("| Value | Type | Default | Description |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(r.key), cell(r.typ), code(r.def), cell(r.description))
	}
	return b.String()
}

// replaceTable puts the table between the markers of readme.
func replaceTable(readme, tbl string) (string, error) {
	begin := strings.Index(readme, beginMarker)
	end := strings.Index(readme, endMarker)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("the markers %q and %q (in this order) are missing", beginMarker, endMarker)
	}
	return readme[:begin+len(beginMarker)] + "\n" + tbl + readme[end:], nil
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d is %q, want %q", i+1, gl, wl)
		}
	}
	return "they differ"
}
