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

package imagebuild

import (
	"archive/tar"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const epoch = 1700000000

var (
	staticOnce sync.Once
	staticBin  []byte
	staticErr  error
)

// staticBinary is a tiny static Go program, built once per test run.
func staticBinary(t *testing.T) []byte {
	t.Helper()
	staticOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kmm-images-test")
		if err != nil {
			staticErr = err
			return
		}
		defer os.RemoveAll(dir)
		src := "package main\n\nfunc main() { println(\"hello\") }\n"
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			staticErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644); err != nil {
			staticErr = err
			return
		}
		cmd := exec.Command(goCmd(), "build", "-trimpath", "-ldflags=-s -w", "-o", "hello", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			staticErr = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		staticBin, staticErr = os.ReadFile(filepath.Join(dir, "hello"))
	})
	if staticErr != nil {
		t.Fatal(staticErr)
	}
	return staticBin
}

func goCmd() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// binDir is a directory with the three binaries the specs name, all the same static program.
func binDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"kmm-operator", "kmm-mirror", "pause"} {
		if err := os.WriteFile(filepath.Join(dir, n), staticBinary(t), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func options(bin, out string) Options {
	return Options{
		BinDir: bin, OutDir: out, RepositoryPrefix: "kmm.local/", Tag: "v1.2.3",
		OS: "linux", Arch: runtime.GOARCH, SourceDateEpoch: epoch,
	}
}

func run(t *testing.T, o Options) map[string]Result {
	t.Helper()
	results, err := Run(Images(), o)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]Result{}
	for _, r := range results {
		m[r.Name] = r
	}
	return m
}

func fileSum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestReproducible(t *testing.T) {
	bin := binDir(t)
	a := run(t, options(bin, t.TempDir()))
	b := run(t, options(bin, t.TempDir()))
	if len(a) != 3 {
		t.Fatalf("built %d images, want 3", len(a))
	}
	for n, ra := range a {
		rb := b[n]
		if ra.ID != rb.ID || ra.Manifest != rb.Manifest {
			t.Errorf("%s: digests differ between two builds: id %s / %s, manifest %s / %s", n, ra.ID, rb.ID, ra.Manifest, rb.Manifest)
		}
		if fileSum(t, ra.Path) != fileSum(t, rb.Path) {
			t.Errorf("%s: tarballs differ between two builds", n)
		}
	}
	la, _ := os.ReadFile(filepath.Join(filepath.Dir(a["pause"].Path), "images.txt"))
	lb, _ := os.ReadFile(filepath.Join(filepath.Dir(b["pause"].Path), "images.txt"))
	want := "kmm-operator kmm.local/kmm-operator:v1.2.3 " + a["kmm-operator"].Manifest.String() + "\n" +
		"kmm-mirror kmm.local/kmm-mirror:v1.2.3 " + a["kmm-mirror"].Manifest.String() + "\n" +
		"pause registry.k8s.io/pause:3.10.2 " + a["pause"].Manifest.String() + "\n"
	if string(la) != want || string(lb) != want {
		t.Errorf("images.txt:\n%s\nwant:\n%s", la, want)
	}
}

func TestChangedInputsChangeDigest(t *testing.T) {
	bin := binDir(t)
	before := run(t, options(bin, t.TempDir()))

	// A different kmm-mirror binary (trailing bytes keep it a valid static ELF file).
	f, err := os.OpenFile(filepath.Join(bin, "kmm-mirror"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("changed")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	after := run(t, options(bin, t.TempDir()))
	for n := range before {
		changed := before[n].Manifest != after[n].Manifest || before[n].ID != after[n].ID
		if changed != (n == "kmm-mirror") {
			t.Errorf("%s: changed=%v after changing the kmm-mirror binary", n, changed)
		}
	}

	o := options(bin, t.TempDir())
	o.SourceDateEpoch++
	later := run(t, o)
	for n := range after {
		if after[n].ID == later[n].ID || after[n].Manifest == later[n].Manifest {
			t.Errorf("%s: same digest with another source date epoch", n)
		}
	}
}

type entry struct {
	typ  byte
	mode int64
	link string
	size int64
}

func TestImageContents(t *testing.T) {
	bin := binDir(t)
	res := run(t, options(bin, t.TempDir()))
	binSize := int64(len(staticBinary(t)))
	dir := func(mode int64) entry { return entry{typ: tar.TypeDir, mode: mode} }
	file := func(mode, size int64) entry { return entry{typ: tar.TypeReg, mode: mode, size: size} }
	link := func(target string) entry { return entry{typ: tar.TypeSymlink, mode: 0o777, link: target} }
	path := "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

	tests := []struct {
		name       string
		ref        string
		entrypoint []string
		env        []string
		user       string
		workdir    string
		files      map[string]entry
	}{{
		name: "kmm-operator", ref: "kmm.local/kmm-operator:v1.2.3",
		entrypoint: []string{"/kmm-operator"}, env: []string{path}, user: "65532:65532", workdir: "/",
		files: map[string]entry{
			"etc/":         dir(0o755),
			"etc/group":    file(0o644, int64(len(group))),
			"etc/passwd":   file(0o644, int64(len(passwd))),
			"kmm-operator": file(0o755, binSize),
			"tmp/":         dir(0o1777),
		},
	}, {
		name: "kmm-mirror", ref: "kmm.local/kmm-mirror:v1.2.3",
		env: []string{path, "KAFKA_HOME=/opt/kafka"}, user: "1001:0", workdir: "/opt/kafka",
		files: map[string]entry{
			"etc/":       dir(0o755),
			"etc/group":  file(0o644, int64(len(group))),
			"etc/passwd": file(0o644, int64(len(passwdMirror))),
			"opt/":       dir(0o755),
			"opt/kafka/": dir(0o755),
			"opt/kafka/kafka_mirror_maker_liveness.sh": link("kmm-mirror"),
			"opt/kafka/kafka_mirror_maker_run.sh":      link("kmm-mirror"),
			"opt/kafka/kmm-mirror":                     file(0o755, binSize),
			"tmp/":                                     dir(0o1777),
			"usr/":                                     dir(0o755),
			"usr/local/":                               dir(0o755),
			"usr/local/bin/":                           dir(0o755),
			"usr/local/bin/test":                       link("/opt/kafka/kmm-mirror"),
		},
	}, {
		name: "pause", ref: "registry.k8s.io/pause:3.10.2",
		entrypoint: []string{"/pause"}, env: []string{path}, user: "65535:65535", workdir: "/",
		files: map[string]entry{"pause": file(0o755, binSize)},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := res[tc.name]
			if r.Ref != tc.ref {
				t.Errorf("reference %q, want %q", r.Ref, tc.ref)
			}
			tag, err := name.NewTag(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			img, err := tarball.ImageFromPath(r.Path, &tag)
			if err != nil {
				t.Fatal(err)
			}
			if id, err := img.ConfigName(); err != nil || id != r.ID {
				t.Errorf("image ID %s (%v), Run reported %s", id, err, r.ID)
			}
			if d, err := img.Digest(); err != nil || d != r.Manifest {
				t.Errorf("manifest digest %s (%v), Run reported %s", d, err, r.Manifest)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.OS != "linux" || cf.Architecture != runtime.GOARCH || !cf.Created.Time.Equal(time.Unix(epoch, 0)) {
				t.Errorf("os/arch/created %s/%s/%s", cf.OS, cf.Architecture, cf.Created.Time)
			}
			c := cf.Config
			if !slices.Equal(c.Entrypoint, tc.entrypoint) || len(c.Cmd) != 0 || !slices.Equal(c.Env, tc.env) ||
				c.User != tc.user || c.WorkingDir != tc.workdir {
				t.Errorf("config: entrypoint %q cmd %q env %q user %q workdir %q", c.Entrypoint, c.Cmd, c.Env, c.User, c.WorkingDir)
			}
			for _, h := range cf.History {
				if !h.Created.Time.Equal(time.Unix(epoch, 0)) {
					t.Errorf("history created %s", h.Created.Time)
				}
			}

			layers, err := img.Layers()
			if err != nil || len(layers) != 1 {
				t.Fatalf("%d layers (%v), want 1", len(layers), err)
			}
			rc, err := layers[0].Uncompressed()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got := map[string]entry{}
			var order []string
			tr := tar.NewReader(rc)
			for {
				h, err := tr.Next()
				if err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
					t.Errorf("%s owned by %d(%s):%d(%s), want 0:0", h.Name, h.Uid, h.Uname, h.Gid, h.Gname)
				}
				if !h.ModTime.Equal(time.Unix(epoch, 0)) {
					t.Errorf("%s modified %s", h.Name, h.ModTime)
				}
				got[h.Name] = entry{typ: h.Typeflag, mode: h.Mode, link: h.Linkname, size: h.Size}
				order = append(order, h.Name)
			}
			if !reflect.DeepEqual(got, tc.files) {
				t.Errorf("layer:\n got %+v\nwant %+v", got, tc.files)
			}
			if !slices.IsSorted(order) {
				t.Errorf("layer entries not sorted: %q", order)
			}
		})
	}
}

func TestRefusesBadBinaries(t *testing.T) {
	dir := t.TempDir()
	csrc := filepath.Join(dir, "dyn.c")
	if err := os.WriteFile(csrc, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dyn := filepath.Join(dir, "dynamic")
	if out, err := exec.Command("gcc", "-o", dyn, csrc).CombinedOutput(); err != nil {
		t.Fatalf("gcc (needed to build a dynamically linked test binary): %v\n%s", err, out)
	}
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, staticBinary(t), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ name, file, want string }{
		{"dynamic", dyn, "dynamically linked"},
		{"not executable", noexec, "not an executable"},
		{"not ELF", script, "not an ELF"},
		{"missing", filepath.Join(dir, "missing"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := binDir(t)
			target := filepath.Join(bin, "kmm-mirror")
			if err := os.Remove(target); err != nil {
				t.Fatal(err)
			}
			if fileExists(tc.file) {
				if err := os.Symlink(tc.file, target); err != nil {
					t.Fatal(err)
				}
			}
			out := t.TempDir()
			_, err := Run(Images(), options(bin, out))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), target) {
				t.Fatalf("error %v, want one naming %s and saying %q", err, target, tc.want)
			}
			if ents, _ := os.ReadDir(out); len(ents) != 0 {
				t.Errorf("wrote %d files despite the error", len(ents))
			}
		})
	}
	if err := CheckBinary(filepath.Join(binDir(t), "pause"), "s390x"); err == nil || !strings.Contains(err.Error(), "not s390x") {
		t.Errorf("binary for another architecture: error %v", err)
	}
}

func TestOnly(t *testing.T) {
	out := t.TempDir()
	o := options(binDir(t), out)
	o.Only = []string{"pause"}
	res := run(t, o)
	if len(res) != 1 || res["pause"].Ref != PauseRef {
		t.Fatalf("results %+v", res)
	}
	if fileExists(filepath.Join(out, "kmm-operator.tar")) {
		t.Error("kmm-operator.tar written with -only pause")
	}
	o.Only = []string{"nope"}
	if _, err := Run(Images(), o); err == nil || !strings.Contains(err.Error(), `unknown image "nope"`) {
		t.Errorf("unknown image: error %v", err)
	}
}
