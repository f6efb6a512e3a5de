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

package v1beta2_test

// Agreement between the Go types and the committed CRD. This file deliberately does not use
// hack/crdgen: it walks the Go types by reflection and the committed YAML as generic maps, each
// on its own, and compares the two. (That the committed file is the generator's current output
// is tested in hack/crdgen/crdgen.)

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// crdFile is the committed CRD, relative to this package directory.
const crdFile = "../../../../artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml"

// JSON kinds a path can have. kindIntOrString is the int-or-string of Quantity and IntOrString.
const (
	kindString      = "string"
	kindInteger     = "integer"
	kindNumber      = "number"
	kindBoolean     = "boolean"
	kindArray       = "array"
	kindObject      = "object"
	kindIntOrString = "int-or-string"
)

var (
	crdKmmPkgPath    = reflect.TypeOf(kafkav1beta2.KafkaMirrorMaker{}).PkgPath()
	crdKafkaConfig   = reflect.TypeOf(kafkav1beta2.KafkaConfig{})
	crdQuantity      = reflect.TypeOf(resource.Quantity{})
	crdIntOrString   = reflect.TypeOf(intstr.IntOrString{})
	crdTypeMeta      = reflect.TypeOf(metav1.TypeMeta{})
	crdObjectMeta    = reflect.TypeOf(metav1.ObjectMeta{})
	crdKafkaMM       = reflect.TypeOf(kafkav1beta2.KafkaMirrorMaker{})
	crdPathSeparator = "."
)

// ---------------------------------------------------------------------------------------------
// Walking the Go types.

// goNode is what the Go types say about one JSON path.
type goNode struct {
	kind string
	// owner and field name the struct field the path comes from (nil/"" for array items, map
	// values and the root).
	owner reflect.Type
	field string
	// strct is the struct type of an object path backed by a struct.
	strct reflect.Type
	// freeForm marks a KafkaConfig: an object whose content is not described.
	freeForm bool
}

func crdJoin(path, name string) string {
	if path == "" {
		return name
	}
	return path + crdPathSeparator + name
}

// walkGoType returns the JSON paths of values of type t, keyed by path ("" is t itself;
// "a.b" a property, "a[]" the items of an array, "a{}" the values of a map).
func walkGoType(t *testing.T, typ reflect.Type) map[string]goNode {
	out := map[string]goNode{}
	crdWalkGo(t, typ, "", goNode{}, out, map[reflect.Type]bool{})
	return out
}

func crdWalkGo(t *testing.T, typ reflect.Type, path string, n goNode, out map[string]goNode, visiting map[reflect.Type]bool) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ {
	case crdKafkaConfig:
		n.kind, n.freeForm = kindObject, true
		out[path] = n
		return
	case crdQuantity, crdIntOrString:
		n.kind = kindIntOrString
		out[path] = n
		return
	case crdObjectMeta:
		n.kind = kindObject
		out[path] = n
		return
	}
	switch typ.Kind() {
	case reflect.String:
		n.kind = kindString
	case reflect.Bool:
		n.kind = kindBoolean
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n.kind = kindInteger
	case reflect.Float32, reflect.Float64:
		n.kind = kindNumber
	case reflect.Slice:
		n.kind = kindArray
		out[path] = n
		crdWalkGo(t, typ.Elem(), path+"[]", goNode{}, out, visiting)
		return
	case reflect.Map:
		n.kind = kindObject
		out[path] = n
		crdWalkGo(t, typ.Elem(), path+"{}", goNode{}, out, visiting)
		return
	case reflect.Struct:
		if visiting[typ] {
			t.Fatalf("%s: recursive type %s", path, typ)
		}
		visiting[typ] = true
		defer delete(visiting, typ)
		n.kind, n.strct = kindObject, typ
		out[path] = n
		crdWalkFields(t, typ, path, out, visiting)
		return
	default:
		t.Fatalf("%s: unexpected Go type %s", path, typ)
	}
	out[path] = n
}

func crdWalkFields(t *testing.T, typ reflect.Type, path string, out map[string]goNode, visiting map[reflect.Type]bool) {
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft == crdTypeMeta {
				out[crdJoin(path, "apiVersion")] = goNode{kind: kindString, owner: typ, field: f.Name}
				out[crdJoin(path, "kind")] = goNode{kind: kindString, owner: typ, field: f.Name}
				continue
			}
			if ft.Kind() == reflect.Struct { // inline: its fields belong to this object
				crdWalkFields(t, ft, path, out, visiting)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := crdJoin(path, name)
		if _, dup := out[p]; dup {
			t.Fatalf("%s: JSON name used twice", p)
		}
		crdWalkGo(t, f.Type, p, goNode{owner: typ, field: f.Name}, out, visiting)
	}
}

// ---------------------------------------------------------------------------------------------
// Walking the schema.

// schemaNode is what the schema says about one JSON path.
type schemaNode struct {
	kind string
	node map[string]any
}

func walkSchema(root map[string]any) map[string]schemaNode {
	out := map[string]schemaNode{}
	crdWalkSchema(root, "", out)
	return out
}

func crdWalkSchema(node map[string]any, path string, out map[string]schemaNode) {
	kind, _ := node["type"].(string)
	if b, _ := node["x-kubernetes-int-or-string"].(bool); b {
		kind = kindIntOrString
	}
	out[path] = schemaNode{kind: kind, node: node}
	if props, ok := node["properties"].(map[string]any); ok {
		for name, child := range props {
			if m, ok := child.(map[string]any); ok {
				crdWalkSchema(m, crdJoin(path, name), out)
			}
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		crdWalkSchema(items, path+"[]", out)
	}
	if values, ok := node["additionalProperties"].(map[string]any); ok {
		crdWalkSchema(values, path+"{}", out)
	}
}

// ---------------------------------------------------------------------------------------------
// Markers, read from the source independently of the generator.

// sourceMarkers holds the +kmm: markers of the package source: by type name, the type-level
// markers ("" key) and the field markers (Go field name key), each as name → value.
type sourceMarkers map[string]map[string]map[string]string

func readSourceMarkers(t *testing.T) sourceMarkers {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	out := sourceMarkers{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				byField := map[string]map[string]string{"": crdMarkers(gd.Doc)}
				for k, v := range crdMarkers(ts.Doc) {
					byField[""][k] = v
				}
				for _, field := range st.Fields.List {
					for _, n := range field.Names {
						byField[n.Name] = crdMarkers(field.Doc)
					}
				}
				out[ts.Name.Name] = byField
			}
		}
	}
	require.NotEmpty(t, out["KafkaMirrorMakerSpec"], "no markers read from the package source")
	return out
}

func crdMarkers(cg *ast.CommentGroup) map[string]string {
	out := map[string]string{}
	if cg == nil {
		return out
	}
	for _, c := range cg.List {
		line := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
		if rest, ok := strings.CutPrefix(line, "+kmm:"); ok {
			name, value, _ := strings.Cut(rest, "=")
			out[name] = value
		}
	}
	return out
}

// fieldMarkers returns the markers of the field a Go path comes from (none outside this package).
func (m sourceMarkers) fieldMarkers(n goNode) map[string]string {
	if n.owner == nil || n.owner.PkgPath() != crdKmmPkgPath {
		return nil
	}
	return m[n.owner.Name()][n.field]
}

func (m sourceMarkers) typeMarkers(n goNode) map[string]string {
	if n.strct == nil || n.strct.PkgPath() != crdKmmPkgPath {
		return nil
	}
	return m[n.strct.Name()][""]
}

// ---------------------------------------------------------------------------------------------
// The comparison.

// agreement compares the JSON paths of Go type typ with the schema rooted at schema and returns
// the disagreements, sorted.
func agreement(t *testing.T, typ reflect.Type, schema map[string]any, markers sourceMarkers) []string {
	t.Helper()
	goPaths := walkGoType(t, typ)
	schemaPaths := walkSchema(schema)
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for path, g := range goPaths {
		s, ok := schemaPaths[path]
		if !ok {
			report("%s: in the Go types, missing from the schema", path)
			continue
		}
		if g.kind != s.kind {
			report("%s: Go type is %s, schema type is %q", path, g.kind, s.kind)
		}
		if g.freeForm {
			if b, _ := s.node["x-kubernetes-preserve-unknown-fields"].(bool); !b {
				report("%s: free-form KafkaConfig, but the schema does not preserve unknown fields", path)
			}
		}

		// required: exactly the +kmm:required fields of the struct.
		var wantRequired []string
		for childPath, child := range goPaths {
			if crdParent(childPath) == path && child.owner != nil {
				if _, ok := markers.fieldMarkers(child)["required"]; ok {
					wantRequired = append(wantRequired, crdLastName(childPath))
				}
			}
		}
		if got := crdStrings(s.node["required"]); !crdSameSet(wantRequired, got) {
			report("%s: required is %v, the +kmm:required markers say %v", path, got, crdSorted(wantRequired))
		}

		// oneOf from +kmm:oneOfRequired on the type.
		var wantOneOf []any
		if v, ok := markers.typeMarkers(g)["oneOfRequired"]; ok {
			for _, name := range strings.Split(v, ";") {
				wantOneOf = append(wantOneOf, map[string]any{"required": []any{name}})
			}
		}
		if got, _ := s.node["oneOf"].([]any); !reflect.DeepEqual(got, wantOneOf) {
			report("%s: oneOf is %v, the +kmm:oneOfRequired marker says %v", path, got, wantOneOf)
		}

		// enum, minimum, pattern, preserveUnknownFields, description on the fields.
		fm := markers.fieldMarkers(g)
		var wantEnum []string
		if v, ok := fm["enum"]; ok {
			wantEnum = strings.Split(v, ";")
		}
		if got := crdStrings(s.node["enum"]); !reflect.DeepEqual(got, wantEnum) {
			report("%s: enum is %v, the +kmm:enum marker says %v", path, got, wantEnum)
		}
		wantMin, hasMin := fm["minimum"]
		gotMin, gotHasMin := s.node["minimum"]
		switch {
		case hasMin != gotHasMin:
			report("%s: minimum is %v, the +kmm:minimum marker says %q", path, gotMin, wantMin)
		case hasMin:
			if want, err := strconv.ParseFloat(wantMin, 64); err != nil || gotMin != want {
				report("%s: minimum is %v, the +kmm:minimum marker says %q", path, gotMin, wantMin)
			}
		}
		if got, _ := s.node["pattern"].(string); g.kind != kindIntOrString && got != fm["pattern"] {
			report("%s: pattern is %q, the +kmm:pattern marker says %q", path, got, fm["pattern"])
		}
		if _, ok := fm["preserveUnknownFields"]; ok && !g.freeForm {
			report("%s: +kmm:preserveUnknownFields on a field that is not a KafkaConfig", path)
		}
		// Descriptions: on every field of a kafka.strimzi.io type, nowhere else (the top level,
		// apiVersion/kind/metadata/spec/status, is not checked, nor is the root of the walk, whose
		// description belongs to the field holding it).
		desc, _ := s.node["description"].(string)
		inKmm := g.owner != nil && g.owner.PkgPath() == crdKmmPkgPath
		switch {
		case path == "", g.owner == crdKafkaMM:
		case inKmm && desc == "":
			report("%s: field of a kafka.strimzi.io type without a description", path)
		case !inKmm && desc != "":
			report("%s: has a description, but is not a field of a kafka.strimzi.io type", path)
		}
	}
	for path := range schemaPaths {
		if _, ok := goPaths[path]; !ok {
			report("%s: in the schema, missing from the Go types", path)
		}
	}
	sort.Strings(problems)
	return problems
}

func crdParent(path string) string {
	if i := strings.LastIndex(path, crdPathSeparator); i >= 0 {
		return path[:i]
	}
	if path == "" {
		return "-"
	}
	return ""
}

func crdLastName(path string) string {
	return path[strings.LastIndex(path, crdPathSeparator)+1:]
}

func crdStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func crdSorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func crdSameSet(a, b []string) bool {
	return reflect.DeepEqual(crdSorted(a), crdSorted(b))
}

// ---------------------------------------------------------------------------------------------
// Loading the committed CRD.

func loadCRD(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(crdFile)
	require.NoError(t, err, "run hack/update-codegen.sh to generate the CRD")
	var crd map[string]any
	require.NoError(t, yaml.Unmarshal(data, &crd))
	return crd
}

// crdGet follows a path of map keys and list indexes.
func crdGet(t *testing.T, v any, keys ...any) any {
	t.Helper()
	for i, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v: not an object", keys[:i])
			v, ok = m[k]
			require.True(t, ok, "%v: missing", keys[:i+1])
		case int:
			l, ok := v.([]any)
			require.True(t, ok, "%v: not a list", keys[:i])
			require.Greater(t, len(l), k, "%v: too short", keys[:i])
			v = l[k]
		}
	}
	return v
}

func openAPISchema(t *testing.T, crd map[string]any) map[string]any {
	t.Helper()
	s, ok := crdGet(t, crd, "spec", "versions", 0, "schema", "openAPIV3Schema").(map[string]any)
	require.True(t, ok)
	return s
}

// ---------------------------------------------------------------------------------------------
// Tests.

func TestCRDAgreesWithGoTypes(t *testing.T) {
	crd := loadCRD(t)
	problems := agreement(t, crdKafkaMM, openAPISchema(t, crd), readSourceMarkers(t))
	assert.Empty(t, problems, "the Go types and %s disagree:\n%s", crdFile, strings.Join(problems, "\n"))
}

func TestCRDRootAndSpec(t *testing.T) {
	schema := openAPISchema(t, loadCRD(t))
	assert.Equal(t, "object", schema["type"])
	props := crdGet(t, schema, "properties").(map[string]any)
	assert.ElementsMatch(t, []string{"apiVersion", "kind", "metadata", "spec", "status"}, crdKeys(props))
	assert.Equal(t, "string", crdGet(t, props, "apiVersion", "type"))
	assert.Equal(t, "string", crdGet(t, props, "kind", "type"))
	assert.Equal(t, map[string]any{"type": "object"}, props["metadata"])

	spec := props["spec"].(map[string]any)
	assert.ElementsMatch(t, []any{"replicas", "consumer", "producer"}, spec["required"])
	assert.Equal(t, []any{
		map[string]any{"required": []any{"include"}},
		map[string]any{"required": []any{"whitelist"}},
	}, spec["oneOf"])
	assert.ElementsMatch(t, []any{"bootstrapServers", "groupId"}, crdGet(t, spec, "properties", "consumer", "required"))
	assert.ElementsMatch(t, []any{"bootstrapServers"}, crdGet(t, spec, "properties", "producer", "required"))
	assert.ElementsMatch(t, []any{"type", "valueFrom"}, crdGet(t, spec, "properties", "metricsConfig", "required"))
	assert.Equal(t, float64(0), crdGet(t, spec, "properties", "replicas", "minimum"))
	assert.Equal(t, true, crdGet(t, spec, "properties", "consumer", "properties", "config", "x-kubernetes-preserve-unknown-fields"))

	limits := crdGet(t, spec, "properties", "resources", "properties", "limits", "additionalProperties").(map[string]any)
	assert.Equal(t, map[string]any{
		"anyOf":                      []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}},
		"pattern":                    `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`,
		"x-kubernetes-int-or-string": true,
	}, limits)
}

func TestCRDEnvelope(t *testing.T) {
	crd := loadCRD(t)
	assert.Equal(t, "apiextensions.k8s.io/v1", crd["apiVersion"])
	assert.Equal(t, "CustomResourceDefinition", crd["kind"])
	assert.Equal(t, "kafkamirrormakers.kafka.strimzi.io", crdGet(t, crd, "metadata", "name"))
	assert.Equal(t, map[string]any{"app": "strimzi", "strimzi.io/crd-install": "true"}, crdGet(t, crd, "metadata", "labels"))
	assert.Equal(t, "kafka.strimzi.io", crdGet(t, crd, "spec", "group"))
	assert.Equal(t, kafkav1beta2.GroupName, crdGet(t, crd, "spec", "group"))
	assert.Equal(t, "Namespaced", crdGet(t, crd, "spec", "scope"))
	assert.Equal(t, map[string]any{
		"kind":       "KafkaMirrorMaker",
		"listKind":   "KafkaMirrorMakerList",
		"singular":   "kafkamirrormaker",
		"plural":     "kafkamirrormakers",
		"shortNames": []any{"kmm"},
		"categories": []any{"strimzi"},
	}, crdGet(t, crd, "spec", "names"))
	assert.Equal(t, map[string]any{"strategy": "None"}, crdGet(t, crd, "spec", "conversion"))

	versions := crdGet(t, crd, "spec", "versions").([]any)
	require.Len(t, versions, 1)
	assert.Equal(t, "v1beta2", crdGet(t, versions, 0, "name"))
	assert.Equal(t, true, crdGet(t, versions, 0, "served"))
	assert.Equal(t, true, crdGet(t, versions, 0, "storage"))
	assert.Equal(t, map[string]any{
		"status": map[string]any{},
		"scale": map[string]any{
			"specReplicasPath":   ".spec.replicas",
			"statusReplicasPath": ".status.replicas",
			"labelSelectorPath":  ".status.labelSelector",
		},
	}, crdGet(t, versions, 0, "subresources"))
	assert.Equal(t, []any{
		map[string]any{
			"name":        "Desired replicas",
			"description": "The desired number of Kafka MirrorMaker replicas",
			"jsonPath":    ".spec.replicas",
			"type":        "integer",
		},
		map[string]any{
			"name":        "Consumer Bootstrap Servers",
			"description": "The boostrap servers for the consumer",
			"jsonPath":    ".spec.consumer.bootstrapServers",
			"type":        "string",
			"priority":    float64(1),
		},
		map[string]any{
			"name":        "Producer Bootstrap Servers",
			"description": "The boostrap servers for the producer",
			"jsonPath":    ".spec.producer.bootstrapServers",
			"type":        "string",
			"priority":    float64(1),
		},
		map[string]any{
			"name":        "Ready",
			"description": "The state of the custom resource",
			"jsonPath":    `.status.conditions[?(@.type=="Ready")].status`,
			"type":        "string",
		},
	}, crdGet(t, versions, 0, "additionalPrinterColumns"))
}

// TestCRDIsStructural checks the rules of a structural schema that the API server enforces and
// that a mistake in the generator could break.
func TestCRDIsStructural(t *testing.T) {
	problems := structuralProblems(openAPISchema(t, loadCRD(t)), "")
	assert.Empty(t, problems, "%s is not a structural schema:\n%s", crdFile, strings.Join(problems, "\n"))
}

var crdAllowedSchemaKeys = map[string]bool{
	"type": true, "format": true, "description": true, "properties": true, "items": true,
	"additionalProperties": true, "required": true, "enum": true, "minimum": true, "pattern": true,
	"anyOf": true, "oneOf": true, "x-kubernetes-int-or-string": true,
	"x-kubernetes-preserve-unknown-fields": true,
}

func structuralProblems(node map[string]any, path string) []string {
	var problems []string
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: ", path)+fmt.Sprintf(format, args...))
	}
	for k := range node {
		if !crdAllowedSchemaKeys[k] {
			report("unexpected schema keyword %q", k)
		}
	}
	typ, hasType := node["type"].(string)
	intOrString, _ := node["x-kubernetes-int-or-string"].(bool)
	preserve, _ := node["x-kubernetes-preserve-unknown-fields"].(bool)
	switch {
	case intOrString:
		if hasType {
			report("int-or-string with a type")
		}
		want := []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		if !reflect.DeepEqual(node["anyOf"], want) {
			report("int-or-string without anyOf [integer, string]")
		}
	case !hasType:
		report("no type")
	case node["anyOf"] != nil:
		report("anyOf outside int-or-string")
	}
	if preserve && typ != "object" {
		report("x-kubernetes-preserve-unknown-fields on type %q", typ)
	}
	props, _ := node["properties"].(map[string]any)
	if (props != nil || node["additionalProperties"] != nil || node["required"] != nil) && typ != "object" {
		report("properties, additionalProperties or required on type %q", typ)
	}
	if props != nil && node["additionalProperties"] != nil {
		report("both properties and additionalProperties")
	}
	if (node["items"] != nil) != (typ == "array") {
		report("items and type %q do not go together", typ)
	}
	for _, name := range crdStrings(node["required"]) {
		if _, ok := props[name]; !ok {
			report("required %q is not a property", name)
		}
	}
	if oneOf, ok := node["oneOf"].([]any); ok {
		for _, branch := range oneOf {
			b, _ := branch.(map[string]any)
			if len(b) != 1 || b["required"] == nil {
				report("oneOf branch %v holds more than required", branch)
			}
			for _, name := range crdStrings(b["required"]) {
				if _, ok := props[name]; !ok {
					report("oneOf requires %q, which is not a property", name)
				}
			}
		}
	}
	if p, ok := node["pattern"].(string); ok && typ != "string" && !intOrString {
		report("pattern %q on type %q", p, typ)
	}
	for _, name := range crdKeys(props) {
		child, ok := props[name].(map[string]any)
		if !ok {
			report("property %q is not a schema", name)
			continue
		}
		problems = append(problems, structuralProblems(child, crdJoin(path, name))...)
	}
	if items, ok := node["items"].(map[string]any); ok {
		problems = append(problems, structuralProblems(items, path+"[]")...)
	}
	if values, ok := node["additionalProperties"].(map[string]any); ok {
		problems = append(problems, structuralProblems(values, path+"{}")...)
	} else if v, ok := node["additionalProperties"]; ok {
		report("additionalProperties is %v, not a schema", v)
	}
	return problems
}

func crdKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------------------------------------
// The comparison detects drift.

// driftProbe is Probe with a field the schema does not have and without one it has.
type driftProbe struct {
	InitialDelaySeconds *int32 `json:"initialDelaySeconds,omitempty"`
	TimeoutSeconds      *int32 `json:"timeoutSeconds,omitempty"`
	PeriodSeconds       *int32 `json:"periodSeconds,omitempty"`
	SuccessThreshold    *int32 `json:"successThreshold,omitempty"`
	// FailureThreshold is left out.
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
	// Inline structs are flattened.
	driftInline `json:",inline"`
}

type driftInline struct {
	Exec *string `json:"exec,omitempty"`
}

func TestAgreementDetectsDriftInGoTypes(t *testing.T) {
	schema := openAPISchema(t, loadCRD(t))
	probe := crdGet(t, schema, "properties", "spec", "properties", "livenessProbe").(map[string]any)
	paths := walkGoType(t, reflect.TypeOf(driftProbe{}))
	require.Contains(t, paths, "exec", "inline struct not flattened")

	problems := agreement(t, reflect.TypeOf(driftProbe{}), probe, readSourceMarkers(t))
	assert.Contains(t, problems, "terminationGracePeriodSeconds: in the Go types, missing from the schema")
	assert.Contains(t, problems, "exec: in the Go types, missing from the schema")
	assert.Contains(t, problems, "failureThreshold: in the schema, missing from the Go types")

	// The real type agrees with the same subtree.
	actual := agreement(t, reflect.TypeOf(kafkav1beta2.Probe{}), probe, readSourceMarkers(t))
	assert.Empty(t, actual)
}

func TestAgreementDetectsDriftInSchema(t *testing.T) {
	markers := readSourceMarkers(t)
	cases := []struct {
		name   string
		mutate func(t *testing.T, schema map[string]any)
		want   []string
	}{
		{
			name: "deleted property",
			mutate: func(t *testing.T, schema map[string]any) {
				props := crdGet(t, schema, "properties", "spec", "properties", "consumer", "properties").(map[string]any)
				delete(props, "groupId")
			},
			want: []string{"spec.consumer.groupId: in the Go types, missing from the schema"},
		},
		{
			name: "deleted core/v1 property",
			mutate: func(t *testing.T, schema map[string]any) {
				props := crdGet(t, schema, "properties", "spec", "properties", "template", "properties", "pod",
					"properties", "tolerations", "items", "properties").(map[string]any)
				delete(props, "tolerationSeconds")
			},
			want: []string{"spec.template.pod.tolerations[].tolerationSeconds: in the Go types, missing from the schema"},
		},
		{
			name: "extra property",
			mutate: func(t *testing.T, schema map[string]any) {
				props := crdGet(t, schema, "properties", "status", "properties").(map[string]any)
				props["phase"] = map[string]any{"type": "string"}
			},
			want: []string{"status.phase: in the schema, missing from the Go types"},
		},
		{
			name: "wrong type",
			mutate: func(t *testing.T, schema map[string]any) {
				crdGet(t, schema, "properties", "spec", "properties", "replicas").(map[string]any)["type"] = "string"
			},
			want: []string{`spec.replicas: Go type is integer, schema type is "string"`},
		},
		{
			name: "required dropped",
			mutate: func(t *testing.T, schema map[string]any) {
				crdGet(t, schema, "properties", "spec", "properties", "producer").(map[string]any)["required"] = []any{}
			},
			want: []string{"spec.producer: required is [], the +kmm:required markers say [bootstrapServers]"},
		},
		{
			name: "required added",
			mutate: func(t *testing.T, schema map[string]any) {
				crdGet(t, schema, "properties", "status").(map[string]any)["required"] = []any{"replicas"}
			},
			want: []string{"status: required is [replicas], the +kmm:required markers say []"},
		},
		{
			name: "enum changed",
			mutate: func(t *testing.T, schema map[string]any) {
				crdGet(t, schema, "properties", "spec", "properties", "tracing", "properties", "type").(map[string]any)["enum"] = []any{"opentelemetry"}
			},
			want: []string{"spec.tracing.type: enum is [opentelemetry], the +kmm:enum marker says [jaeger opentelemetry]"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			schema := openAPISchema(t, loadCRD(t)) // a fresh copy
			tc.mutate(t, schema)
			assert.Equal(t, tc.want, agreement(t, crdKafkaMM, schema, markers))
		})
	}
}

func TestStructuralCheckDetectsProblems(t *testing.T) {
	schema := openAPISchema(t, loadCRD(t))
	spec := crdGet(t, schema, "properties", "spec").(map[string]any)
	delete(crdGet(t, spec, "properties", "image").(map[string]any), "type")
	spec["oneOf"] = []any{map[string]any{"required": []any{"include"}, "description": "x"}}
	problems := structuralProblems(schema, "")
	assert.Contains(t, problems, "spec.image: no type")
	assert.Contains(t, problems, `spec: oneOf branch map[description:x required:[include]] holds more than required`)
}
