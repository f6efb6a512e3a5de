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
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// Poll calls cond every interval until it reports true or ctx ends. The error then carries the
// last status cond gave, so a timeout says what was still missing instead of just "timeout".
func Poll(ctx context.Context, interval time.Duration, cond func() (done bool, status string)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		done, status := cond()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; last status: %s", ctx.Err(), status)
		case <-t.C:
		}
	}
}

// Eventually is Poll bounded by timeout that fails the test with what was last observed.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := Poll(ctx, 50*time.Millisecond, cond); err != nil {
		t.Fatalf("%s not reached within %v: %v", what, timeout, err)
	}
}

// WaitForFile waits until path exists (exists=true) or is absent (exists=false) and returns how
// long that took.
func WaitForFile(path string, exists bool, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := Poll(ctx, 25*time.Millisecond, func() (bool, string) {
		_, err := os.Stat(path)
		switch {
		case err == nil:
			return exists, path + " exists"
		case errors.Is(err, os.ErrNotExist):
			return !exists, path + " does not exist"
		default:
			return false, err.Error()
		}
	})
	return time.Since(start), err
}

// FileExists reports whether path exists.
func FileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago: used for a target that
// must be unreachable first and started on the same address later, and for metrics listeners.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
