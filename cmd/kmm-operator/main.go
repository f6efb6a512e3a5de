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

	"github.com/kmm-operator/kmm-operator/pkg/operator"
	"github.com/kmm-operator/kmm-operator/pkg/render"
	"github.com/kmm-operator/kmm-operator/pkg/version"
)

const usage = `Usage: kmm-operator [command] [flags]

Commands:
  run       run the operator (the default when no command is given); see 'kmm-operator run --help'
  render    print the objects the operator would create for KafkaMirrorMakers in files
  version   print the version
`

func main() {
	args := os.Args[1:]
	cmd := "run"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help":
			cmd, args = "help", nil
		case a == "-version" || a == "--version":
			cmd, args = "version", nil
		case a == "" || a[0] != '-':
			cmd, args = a, args[1:]
		}
	}
	switch cmd {
	case "run":
		os.Exit(operator.Main(args, os.Stdout, os.Stderr, os.LookupEnv))
	case "render":
		os.Exit(render.Run(args, os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
	case "version":
		fmt.Println(version.String())
	case "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "kmm-operator: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
}
