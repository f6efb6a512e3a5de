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

package crdgen

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// markerPrefix starts every marker line read by the generator (see the package doc of v1beta2).
const markerPrefix = "+kmm:"

// Marker names.
const (
	markerRequired              = "required"
	markerMinimum               = "minimum"
	markerEnum                  = "enum"
	markerPattern               = "pattern"
	markerOneOfRequired         = "oneOfRequired"
	markerPreserveUnknownFields = "preserveUnknownFields"
)

// marker is one +kmm:name[=value] line.
type marker struct {
	name  string
	value string
	pos   token.Position
}

func (m marker) String() string { return fmt.Sprintf("%s: +kmm:%s", m.pos, m.name) }

// fieldDoc is what the source says about one struct field.
type fieldDoc struct {
	description string
	markers     []marker
}

// typeDoc is what the source says about one named struct type.
type typeDoc struct {
	markers []marker
	fields  map[string]*fieldDoc // by Go field name
}

// loadDocs parses the non-test Go files of dir and returns the doc comments and markers of its
// struct types, by type name.
func loadDocs(dir string) (map[string]*typeDoc, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	fset := token.NewFileSet()
	var files []*ast.File
	pkgName := ""
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if pkgName == "" {
			pkgName = f.Name.Name
		} else if f.Name.Name != pkgName {
			return nil, fmt.Errorf("%s: package %s, expected %s", name, f.Name.Name, pkgName)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go source files in %s", dir)
	}
	pkg, err := doc.NewFromFiles(fset, files, "kmm/"+pkgName, doc.PreserveAST)
	if err != nil {
		return nil, err
	}

	docs := map[string]*typeDoc{}
	for _, t := range pkg.Types {
		for _, spec := range t.Decl.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok || ts.Name.Name != t.Name {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			td := &typeDoc{fields: map[string]*fieldDoc{}}
			_, td.markers, err = splitComment(fset, t.Decl.Doc)
			if err != nil {
				return nil, err
			}
			if len(t.Decl.Specs) > 1 || ts.Doc != nil {
				var more []marker
				_, more, err = splitComment(fset, ts.Doc)
				if err != nil {
					return nil, err
				}
				td.markers = append(td.markers, more...)
			}
			for _, field := range st.Fields.List {
				desc, markers, err := splitComment(fset, field.Doc)
				if err != nil {
					return nil, err
				}
				for _, n := range field.Names {
					td.fields[n.Name] = &fieldDoc{description: desc, markers: markers}
				}
				if len(field.Names) == 0 && len(markers) > 0 {
					return nil, fmt.Errorf("%s: markers on an embedded field are not supported", markers[0].pos)
				}
			}
			docs[t.Name] = td
		}
	}
	return docs, nil
}

// splitComment splits a doc comment into its description (the non-marker lines, joined into
// one line) and its +kmm: markers. Other lines starting with "+" are dropped.
func splitComment(fset *token.FileSet, cg *ast.CommentGroup) (string, []marker, error) {
	if cg == nil {
		return "", nil, nil
	}
	var text []string
	var markers []marker
	for _, c := range cg.List {
		line := c.Text
		switch {
		case strings.HasPrefix(line, "//"):
			line = strings.TrimPrefix(line, "//")
		case strings.HasPrefix(line, "/*"):
			return "", nil, fmt.Errorf("%s: block comments are not supported in doc comments", fset.Position(c.Pos()))
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, markerPrefix) {
			body := strings.TrimPrefix(line, markerPrefix)
			name, value, _ := strings.Cut(body, "=")
			markers = append(markers, marker{name: name, value: value, pos: fset.Position(c.Pos())})
			continue
		}
		if strings.HasPrefix(line, "+") || line == "" {
			continue
		}
		text = append(text, line)
	}
	return strings.Join(text, " "), markers, nil
}
