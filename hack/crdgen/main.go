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

// Command crdgen writes the kafkamirrormakers.kafka.strimzi.io CustomResourceDefinition generated
// from the Go types of pkg/apis/kafka/v1beta2 and their +kmm: markers.
//
//	go run ./hack/crdgen --output artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kmm-operator/kmm-operator/hack/crdgen/crdgen"
)

func main() {
	output := flag.String("output", "-", "file to write the CRD to; - for stdout")
	typesDir := flag.String("types-dir", "", "source directory of the API types (default <repo root>/"+crdgen.DefaultTypesDir+")")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "crdgen: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*output, *typesDir); err != nil {
		fmt.Fprintf(os.Stderr, "crdgen: %v\n", err)
		os.Exit(1)
	}
}

func run(output, typesDir string) error {
	if typesDir == "" {
		root, err := crdgen.RepoRoot(".")
		if err != nil {
			return err
		}
		typesDir = filepath.Join(root, crdgen.DefaultTypesDir)
	}
	out, err := crdgen.Generate(typesDir)
	if err != nil {
		return err
	}
	if output == "-" {
		_, err = os.Stdout.Write(out)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return err
	}
	return os.WriteFile(output, out, 0o644)
}
