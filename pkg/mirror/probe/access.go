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
package probe

import "golang.org/x/sys/unix"

const (
	rOK = unix.R_OK
	wOK = unix.W_OK
	xOK = unix.X_OK
)

// access asks the kernel, as test(1) does, whether the calling user may read, write or execute
// path, so the answer holds for whatever UID the container runs as.
func access(path string, mode uint32) bool {
	return unix.Faccessat(unix.AT_FDCWD, path, mode, unix.AT_EACCESS) == nil
}
