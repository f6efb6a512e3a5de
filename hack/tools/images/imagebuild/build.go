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
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options select the images and their inputs.
type Options struct {
	BinDir           string   // the binaries the specs name (Spec.Files[].Bin)
	OutDir           string   // where <name>.tar and images.txt are written
	RepositoryPrefix string   // prepended to the image names, e.g. "kmm.local/"
	Tag              string   // the tag of the images without a fixed reference
	Only             []string // image names; empty means all
	OS, Arch         string
	SourceDateEpoch  int64 // the images' creation time and every file's modification time
}

// Result describes one written image.
type Result struct {
	Name string
	Ref  string
	// ID is the config's digest: the image ID runtimes show, the same wherever the image goes.
	ID v1.Hash
	// Manifest is the digest of the image's Docker schema 2 manifest, as a registry would have it
	// after a push with go-containerregistry. A docker archive holds no manifest: containerd
	// writes its own on import, with another digest (same config and layers).
	Manifest v1.Hash
	Path     string // the docker-archive tarball
	Size     int64  // of the tarball
}

// Run builds the selected images of specs and writes their tarballs and images.txt (one line
// "<name> <reference> <manifest digest>" per image of this run). Every binary is checked before
// anything is written.
func Run(specs []Spec, o Options) ([]Result, error) {
	if o.SourceDateEpoch < 0 {
		return nil, fmt.Errorf("source date epoch %d is negative", o.SourceDateEpoch)
	}
	if o.OS == "" || o.Arch == "" {
		return nil, errors.New("OS and architecture must be set")
	}
	selected, err := selectSpecs(specs, o.Only)
	if err != nil {
		return nil, err
	}
	refs := make([]name.Reference, len(selected))
	for i, s := range selected {
		ref := s.Ref
		if ref == "" {
			ref = o.RepositoryPrefix + s.Name + ":" + o.Tag
		}
		if refs[i], err = name.NewTag(ref, name.StrictValidation); err != nil {
			return nil, fmt.Errorf("image %s: reference %q: %w", s.Name, ref, err)
		}
	}
	for _, s := range selected {
		for _, f := range s.Files {
			if f.Bin != "" {
				if err := CheckBinary(filepath.Join(o.BinDir, f.Bin), o.Arch); err != nil {
					return nil, fmt.Errorf("image %s: %w", s.Name, err)
				}
			}
		}
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}

	var results []Result
	var list strings.Builder
	for i, s := range selected {
		img, err := Image(s, o)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", s.Name, err)
		}
		r := Result{Name: s.Name, Ref: refs[i].String(), Path: filepath.Join(o.OutDir, s.Name+".tar")}
		if r.ID, err = img.ConfigName(); err != nil {
			return nil, err
		}
		if r.Manifest, err = img.Digest(); err != nil {
			return nil, err
		}
		if r.Size, err = writeFile(r.Path, func(w io.Writer) error { return tarball.Write(refs[i], img, w) }); err != nil {
			return nil, fmt.Errorf("image %s: %w", s.Name, err)
		}
		results = append(results, r)
		fmt.Fprintf(&list, "%s %s %s\n", r.Name, r.Ref, r.Manifest)
	}
	_, err = writeFile(filepath.Join(o.OutDir, "images.txt"), func(w io.Writer) error {
		_, err := io.WriteString(w, list.String())
		return err
	})
	return results, err
}

func selectSpecs(specs []Spec, only []string) ([]Spec, error) {
	if len(only) == 0 {
		return specs, nil
	}
	var out []Spec
	for _, n := range only {
		i := slices.IndexFunc(specs, func(s Spec) bool { return s.Name == n })
		if i < 0 {
			var names []string
			for _, s := range specs {
				names = append(names, s.Name)
			}
			return nil, fmt.Errorf("unknown image %q (known: %s)", n, strings.Join(names, ", "))
		}
		if !slices.ContainsFunc(out, func(s Spec) bool { return s.Name == n }) {
			out = append(out, specs[i])
		}
	}
	return out, nil
}

// Image builds the image of s from the binaries in o.BinDir.
func Image(s Spec, o Options) (v1.Image, error) {
	created := time.Unix(o.SourceDateEpoch, 0).UTC()
	layer, err := Layer(s.Files, o.BinDir, created)
	if err != nil {
		return nil, err
	}
	base, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		Architecture: o.Arch,
		OS:           o.OS,
		Created:      v1.Time{Time: created},
		Config:       s.Config,
		RootFS:       v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, err
	}
	return mutate.Append(base, mutate.Addendum{
		Layer:     layer,
		MediaType: types.DockerLayer,
		History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: "kmm-images " + s.Name,
		},
	})
}

// Layer makes the gzipped tar layer of files, with their parent directories, every entry owned by
// 0:0 and dated mtime, in path order. It compresses the layer itself, once, so that the digest
// depends only on the contents (compress/gzip writes no timestamp or name). The compressed bytes,
// and so the manifest digest, may change with the Go release that builds kmm-images; the image ID
// (config digest, from the uncompressed layer's digest) does not.
func Layer(files []File, binDir string, mtime time.Time) (v1.Layer, error) {
	entries := map[string]File{}
	for _, f := range files {
		p := path.Clean(f.Path)
		if !path.IsAbs(p) || p == "/" {
			return nil, fmt.Errorf("bad path %q in the image", f.Path)
		}
		if _, dup := entries[p]; dup {
			return nil, fmt.Errorf("%s is listed twice", p)
		}
		f.Path = p
		entries[p] = f
	}
	for p := range entries {
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if e, ok := entries[d]; ok && !e.Dir {
				return nil, fmt.Errorf("%s is below %s, which is not a directory", p, d)
			} else if !ok {
				entries[d] = dir(d, 0o755)
			}
		}
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths) // a parent sorts before its children

	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	for _, p := range paths {
		f := entries[p]
		hdr := &tar.Header{Name: p[1:], Mode: f.Mode, ModTime: mtime, Format: tar.FormatPAX}
		var data []byte
		switch {
		case f.Dir:
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		case f.Link != "":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, f.Link
		case f.Bin != "":
			if data, err = os.ReadFile(filepath.Join(binDir, f.Bin)); err != nil {
				return nil, err
			}
		default:
			data = []byte(f.Data)
		}
		if hdr.Typeflag == 0 {
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	gz := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	})
}

// elfMachine is the ELF machine of each supported GOARCH.
var elfMachine = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM, "386": elf.EM_386,
	"ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV,
}

// CheckBinary refuses a file the image could not run: missing, not executable, not an ELF
// executable for arch, or dynamically linked (the images have no dynamic loader or libc, so the
// kernel would report "no such file or directory" for the missing interpreter).
func CheckBinary(file, arch string) error {
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("binary %s: %w", file, err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("binary %s is not an executable file (mode %s)", file, st.Mode())
	}
	ef, err := elf.Open(file)
	if err != nil {
		return fmt.Errorf("binary %s is not an ELF executable: %w", file, err)
	}
	defer ef.Close()
	if m, ok := elfMachine[arch]; !ok {
		return fmt.Errorf("binary %s: unsupported architecture %q", file, arch)
	} else if ef.Machine != m {
		return fmt.Errorf("binary %s is for %s, not %s", file, ef.Machine, arch)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("binary %s is dynamically linked (it has a PT_INTERP program header); build it static (CGO_ENABLED=0, or -static for C)", file)
		}
	}
	return nil
}

// writeFile writes a file through a temporary name, so that an interrupted run never leaves a
// truncated tarball behind, and returns its size.
func writeFile(file string, write func(io.Writer) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return 0, err
	}
	st, err := tmp.Stat()
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return st.Size(), os.Rename(tmp.Name(), file)
}
