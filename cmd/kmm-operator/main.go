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

// Command kmm-operator manages Strimzi-compatible KafkaMirrorMaker resources.
package main

import (
	"fmt"
	"os"

	"github.com/kmm-operator/kmm-operator/pkg/version"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] != "version" && os.Args[1] != "--version" {
		fmt.Fprintf(os.Stderr, "kmm-operator: unknown command %q; only \"version\" is available in this build\n", os.Args[1])
		os.Exit(2)
	}
	fmt.Println(version.String())
}
