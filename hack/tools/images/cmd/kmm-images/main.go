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

// Command kmm-images writes the project's images (kmm-operator, kmm-mirror and the local node's
// pause image) as docker-archive tarballs, without a container engine, so that a machine with
// only containerd can load them (`ctr -n k8s.io images import <out>/<name>.tar`). The images are
// described in package imagebuild and mirror the repository's Dockerfile; hack/images.sh (make
// images) builds the binaries and runs this command.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/kmm-operator/kmm-operator/hack/tools/images/imagebuild"
)

func main() {
	var o imagebuild.Options
	var only string
	flag.StringVar(&o.BinDir, "bin-dir", ".local/images/bin", "directory of the static binaries kmm-operator, kmm-mirror and pause")
	flag.StringVar(&o.OutDir, "out", ".local/images", "directory the tarballs and images.txt are written to")
	flag.StringVar(&o.RepositoryPrefix, "repository-prefix", "kmm.local/", "prefix of the image names (the pause image keeps "+imagebuild.PauseRef+")")
	flag.StringVar(&o.Tag, "tag", "dev", "tag of the images, the version (e.g. from git describe)")
	flag.StringVar(&only, "only", "", "comma-separated image names to build (default all)")
	flag.StringVar(&o.OS, "os", "linux", "image OS")
	flag.StringVar(&o.Arch, "arch", runtime.GOARCH, "image architecture (GOARCH); the binaries must match it")
	flag.Int64Var(&o.SourceDateEpoch, "source-date-epoch", 0, "creation time of the images and of every file, in seconds since the epoch (e.g. the commit time)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "kmm-images: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			o.Only = append(o.Only, n)
		}
	}

	results, err := imagebuild.Run(imagebuild.Images(), o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kmm-images: %v\n", err)
		os.Exit(1)
	}
	for _, r := range results {
		fmt.Printf("%s %s\n  image id %s\n  manifest %s\n  %s (%.1f MiB)\n",
			r.Name, r.Ref, r.ID, r.Manifest, r.Path, float64(r.Size)/(1<<20))
	}
}
