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

// Package imagebuild builds the project's container images as docker-archive tarballs without a
// container engine, byte for byte reproducibly: the same binaries, tag and SOURCE_DATE_EPOCH give
// the same files and digests.
package imagebuild

import v1 "github.com/google/go-containerregistry/pkg/v1"

// Spec is one image: a single layer plus the runtime configuration.
type Spec struct {
	// Name is the image's short name: its tarball is <out>/<Name>.tar and, unless Ref is set, its
	// reference is <repository prefix><Name>:<tag>.
	Name string
	// Ref is a fixed reference, for an image that stands in for an upstream one.
	Ref string
	// Files are the layer's contents; parent directories not listed are added with mode 0755.
	Files  []File
	Config v1.Config
}

// File is one entry of an image's layer. Everything in the layer is owned by 0:0.
type File struct {
	Path string // absolute path in the image
	Mode int64  // permission bits, with the sticky bit (01000) where wanted
	// Exactly one of Dir, Bin, Data, Link describes the entry.
	Dir  bool
	Bin  string // regular file: the binary of this name in the binaries directory
	Data string // regular file: these contents
	Link string // symbolic link: its target
}

func dir(path string, mode int64) File   { return File{Path: path, Mode: mode, Dir: true} }
func bin(path, name string) File         { return File{Path: path, Mode: 0o755, Bin: name} }
func text(path string, data string) File { return File{Path: path, Mode: 0o644, Data: data} }
func symlink(path, target string) File   { return File{Path: path, Mode: 0o777, Link: target} }

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// PauseRef is the sandbox image the local node's kubelet and containerd expect, so the cluster
// never pulls it.
const PauseRef = "registry.k8s.io/pause:3.10.2"

// The base image gcr.io/distroless/static-debian12 gives the Dockerfile's images a passwd and
// group file, /tmp and more (see Images); these are the entries the processes rely on: the
// named users for tools that look the UID up, and nologin shells because nothing logs in.
const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n"
	// Strimzi's Kafka image runs as kafka (1001) in group root, which OpenShift-style arbitrary
	// UIDs also rely on.
	passwdMirror = passwd + "kafka:x:1001:0:kafka:/nonexistent:/sbin/nologin\n"
	group        = "root:x:0:\n" +
		"nonroot:x:65532:\n"
)

// Images is the table of the images, in the order they are built. It mirrors the Dockerfile's
// kmm-mirror and kmm-operator stages and upstream's pause image (build/pause in Kubernetes).
//
// Differences from the Dockerfile's distroless base, none of which the binaries use: there are no
// CA certificates (and no SSL_CERT_FILE): the operator trusts the cluster's CA from its service
// account, and kmm-mirror the CAs of the KafkaMirrorMaker's trustedCertificates; an OAuth token
// endpoint without tlsTrustedCertificates, which falls back to the system roots, fails here.
// There is no tzdata, /etc/os-release, /etc/nsswitch.conf (Go's resolver defaults to files, then
// DNS) or home directory (the users' homes are /nonexistent, so the operator's working directory
// is / instead of distroless's /home/nonroot).
func Images() []Spec {
	return []Spec{
		{
			Name: "kmm-operator",
			Files: []File{
				bin("/kmm-operator", "kmm-operator"),
				text("/etc/passwd", passwd),
				text("/etc/group", group),
				dir("/tmp", 0o1777),
			},
			Config: v1.Config{
				Entrypoint: []string{"/kmm-operator"},
				Env:        []string{defaultPath},
				User:       "65532:65532",
				WorkingDir: "/",
			},
		},
		{
			// Strimzi's layout, which the operator's Deployment relies on: the binary under
			// /opt/kafka, linked as the two scripts the Deployment runs and as `test` on PATH for
			// the readiness probe (`test -f /tmp/mirror-maker-ready`). The Deployment gives the
			// command, so there is no Entrypoint or Cmd. The mirror runs as any UID with only
			// /tmp writable (the operator mounts a memory emptyDir there).
			Name: "kmm-mirror",
			Files: []File{
				bin("/opt/kafka/kmm-mirror", "kmm-mirror"),
				symlink("/opt/kafka/kafka_mirror_maker_run.sh", "kmm-mirror"),
				symlink("/opt/kafka/kafka_mirror_maker_liveness.sh", "kmm-mirror"),
				symlink("/usr/local/bin/test", "/opt/kafka/kmm-mirror"),
				text("/etc/passwd", passwdMirror),
				text("/etc/group", group),
				dir("/tmp", 0o1777),
			},
			Config: v1.Config{
				Env:        []string{defaultPath, "KAFKA_HOME=/opt/kafka"},
				User:       "1001:0",
				WorkingDir: "/opt/kafka",
			},
		},
		{
			// As upstream's image (FROM scratch): only the static binary.
			Name: "pause",
			Ref:  PauseRef,
			Files: []File{
				bin("/pause", "pause"),
			},
			Config: v1.Config{
				Entrypoint: []string{"/pause"},
				Env:        []string{defaultPath},
				User:       "65535:65535",
				WorkingDir: "/",
			},
		},
	}
}
