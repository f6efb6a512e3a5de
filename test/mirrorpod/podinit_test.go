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
package mirrorpod

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// podInitEnv names the file with the podSpec; a test binary started with it set becomes the
// container's init: it lays out the mount namespace and execs the container's command.
const podInitEnv = "KMM_MIRRORPOD_SPEC"

// podSpec is one container, resolved from the rendered Deployment: what the kubelet and the
// container runtime would set up.
type podSpec struct {
	// Binary is the kmm-mirror executable to install as the image's /opt/kafka/kmm-mirror.
	Binary string
	// Args is the container's command line (the image has no entrypoint: args[0] runs).
	Args []string
	// Env is the container's environment, the image's ENV first.
	Env []string
	// Mounts are the volume mounts in order.
	Mounts []mount
	// UID and GID the container runs as (Strimzi's image: 1001 and 0).
	UID, GID int
}

type mount struct {
	// Path is the mount path in the container.
	Path string
	// Source is a host directory bound read-only (Secret and ConfigMap volumes); empty means a
	// memory emptyDir (tmpfs) of SizeLimit bytes.
	Source    string
	SizeLimit int64
}

// The image layout kmm-mirror's Dockerfile builds.
const (
	kafkaHome = "/opt/kafka"
	imagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// podInit runs in a process started with CLONE_NEWNS: nothing it mounts is seen by the host, and
// everything goes away with the process.
func podInit(specFile string) error {
	data, err := os.ReadFile(specFile)
	if err != nil {
		return err
	}
	var spec podSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	// The image: /opt/kafka with the binary and its two script names, `test` on PATH.
	for _, dir := range []string{"/opt", "/usr/local/bin"} {
		if err := unix.Mount("image", dir, "tmpfs", 0, "mode=0755"); err != nil {
			return fmt.Errorf("mount %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(kafkaHome, 0o755); err != nil {
		return err
	}
	bin, err := os.ReadFile(spec.Binary)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(kafkaHome, "kmm-mirror"), bin, 0o755); err != nil {
		return err
	}
	for link, target := range map[string]string{
		filepath.Join(kafkaHome, "kafka_mirror_maker_run.sh"):      "kmm-mirror",
		filepath.Join(kafkaHome, "kafka_mirror_maker_liveness.sh"): "kmm-mirror",
		"/usr/local/bin/test": filepath.Join(kafkaHome, "kmm-mirror"),
	} {
		if err := os.Symlink(target, link); err != nil {
			return err
		}
	}
	// Volumes: the binds first, since their sources may live under the host's /tmp, which the
	// emptyDir for /tmp hides.
	var tmpfs []mount
	for _, m := range spec.Mounts {
		if m.Source == "" {
			tmpfs = append(tmpfs, m)
			continue
		}
		if err := os.MkdirAll(m.Path, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(m.Source, m.Path, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind %s on %s: %w", m.Source, m.Path, err)
		}
		if err := unix.Mount("", m.Path, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("read-only %s: %w", m.Path, err)
		}
	}
	// The image's own files are read-only, as an image's layers are to a non-root user.
	if err := unix.Mount("", "/opt", "", unix.MS_REMOUNT|unix.MS_RDONLY, "mode=0755"); err != nil {
		return fmt.Errorf("read-only /opt: %w", err)
	}
	for _, m := range tmpfs {
		opts := fmt.Sprintf("mode=1777,size=%d", m.SizeLimit)
		if err := unix.Mount("emptydir", m.Path, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
			return fmt.Errorf("mount emptyDir on %s: %w", m.Path, err)
		}
	}
	if err := os.Chdir(kafkaHome); err != nil {
		return err
	}
	if err := unix.Setgroups(nil); err != nil {
		return err
	}
	if err := unix.Setgid(spec.GID); err != nil {
		return err
	}
	if err := unix.Setuid(spec.UID); err != nil {
		return err
	}
	return syscall.Exec(spec.Args[0], spec.Args, spec.Env)
}
