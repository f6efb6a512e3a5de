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

package mirrortest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The names under which the Strimzi image runs the data plane: the Deployment's container args
// and liveness probe call these scripts, so the binary must behave the same under both names.
const (
	RunScript      = "kafka_mirror_maker_run.sh"
	LivenessScript = "kafka_mirror_maker_liveness.sh"
)

// Binary is a built kmm-mirror plus the script-named symlinks that point at it.
type Binary struct {
	Path     string // the executable itself (kmm-mirror)
	RunLink  string // symlink named kafka_mirror_maker_run.sh
	LiveLink string // symlink named kafka_mirror_maker_liveness.sh
}

// RepoRoot walks up from the working directory to the directory holding go.mod, so the build
// works whatever package directory `go test` runs in.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// BuildMirror builds ./cmd/kmm-mirror into dir (with -race when the tests run with -race) and
// creates the script-named symlinks next to it. The build output is returned in the error so a
// broken engine shows up as a compile error rather than as failing tests.
func BuildMirror(ctx context.Context, dir string) (*Binary, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	bin := &Binary{
		Path:     filepath.Join(dir, "kmm-mirror"),
		RunLink:  filepath.Join(dir, RunScript),
		LiveLink: filepath.Join(dir, LivenessScript),
	}
	args := []string{"build", "-o", bin.Path}
	if RaceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/kmm-mirror")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=vendor")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go %v: %w\n%s", args, err, out)
	}
	for _, link := range []string{bin.RunLink, bin.LiveLink} {
		if err := os.Symlink(bin.Path, link); err != nil {
			return nil, err
		}
	}
	return bin, nil
}
