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

package clustertest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// RepoRoot returns the repository root: the nearest directory, from the working directory
// upwards, that holds hack/cluster/cluster.sh. Test binaries run in their package directory, the
// benchmark wherever it is started from.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack/cluster/cluster.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (with hack/cluster/cluster.sh) not found")
		}
		dir = parent
	}
}

// UseLocalCluster makes sure the local control plane (hack/cluster) is up for a test binary and
// returns the function to call when the tests are done. Test binaries of several packages may
// run at once (`go test ./...`), so they coordinate through a lock file in .local/: bringing the
// cluster up happens under an exclusive lock, every user then holds a shared lock, and done
// takes the cluster down only if no other test binary still holds one, tests started it (a
// marker records the etcd pid of the cluster they started), and KMM_KEEP_CLUSTER is not set. A
// cluster that was already up when the tests began, e.g. one a developer started, is never
// taken down.
//
// root is the repository root; progress goes to out.
func UseLocalCluster(root string, out io.Writer) (done func(), err error) {
	state := filepath.Join(root, ".local")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(state, "clustertest.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		return nil, fmt.Errorf("locking %s: %w", lock.Name(), err)
	}
	script := filepath.Join(root, "hack/cluster/cluster.sh")
	marker := filepath.Join(state, "clustertest.owner")
	wasUp := exec.Command(script, "status").Run() == nil
	// `up` is idempotent: on a healthy cluster it only re-applies the CRDs and the RBAC.
	up := exec.Command(script, "up")
	up.Stdout, up.Stderr = out, out
	start := time.Now()
	if err := up.Run(); err != nil {
		_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		lock.Close()
		return nil, fmt.Errorf("hack/cluster/cluster.sh up: %w", err)
	}
	if !wasUp {
		fmt.Fprintf(out, "clustertest: started the local control plane in %s\n", time.Since(start).Round(time.Second))
		if pid, err := etcdPid(state); err == nil {
			_ = os.WriteFile(marker, []byte(pid), 0o644)
		}
	}
	// Downgrade to a shared lock: other test binaries may use the cluster too.
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_SH); err != nil {
		lock.Close()
		return nil, err
	}
	return func() {
		defer lock.Close()
		defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
		if os.Getenv("KMM_KEEP_CLUSTER") != "" {
			return
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			return // another test binary still uses it; the last one takes it down
		}
		owner, err := os.ReadFile(marker)
		if err != nil {
			return // not started by tests
		}
		if pid, err := etcdPid(state); err != nil || pid != string(owner) {
			_ = os.Remove(marker) // stale: the cluster was restarted since
			return
		}
		fmt.Fprintln(out, "clustertest: taking down the local control plane the tests started (KMM_KEEP_CLUSTER=1 keeps it)")
		down := exec.Command(script, "down")
		down.Stdout, down.Stderr = out, out
		_ = down.Run()
		_ = os.Remove(marker)
	}, nil
}

func etcdPid(state string) (string, error) {
	b, err := os.ReadFile(filepath.Join(state, "pids/etcd.pid"))
	if err != nil {
		return "", err
	}
	pid := strings.TrimSpace(string(b))
	if pid == "" {
		return "", errors.New("empty pid file")
	}
	return pid, nil
}
