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
// Package probe answers the Deployment's exec probes the way Strimzi's image does, so that
// kmm-mirror's image needs no shell: `test` (the readiness probe runs
// `test -f /tmp/mirror-maker-ready`) and kafka_mirror_maker_liveness.sh.
package probe

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Liveness is kafka_mirror_maker_liveness.sh: if the liveness file exists, delete it and
// succeed (exit 0), else fail (exit 1); the mirror re-creates the file while it is alive.
func Liveness(dir string, stderr io.Writer) int {
	path := filepath.Join(dir, "mirror-maker-alive")
	err := os.Remove(path)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stderr, "liveness: %s does not exist: the mirror did not report itself alive\n", path)
	default:
		fmt.Fprintf(stderr, "liveness: %v\n", err)
	}
	return 1
}

// Test evaluates a POSIX test expression (the test utility of POSIX.1-2017, without the
// obsolescent -a/-o): exit 0 when true, 1 when false, 2 on a malformed expression. bracket is
// true when called as "[", which needs a closing "]".
func Test(args []string, bracket bool, stderr io.Writer) int {
	if bracket {
		if len(args) == 0 || args[len(args)-1] != "]" {
			fmt.Fprintln(stderr, "[: missing ]")
			return 2
		}
		args = args[:len(args)-1]
	}
	v, err := eval(args)
	if err != nil {
		fmt.Fprintf(stderr, "test: %v\n", err)
		return 2
	}
	if v {
		return 0
	}
	return 1
}

// eval follows POSIX's rules by argument count, which keep "test -f" (one argument, a
// non-empty string) and "test ! -f x" unambiguous.
func eval(args []string) (bool, error) {
	switch len(args) {
	case 0:
		return false, nil
	case 1:
		return args[0] != "", nil
	case 2:
		if args[0] == "!" {
			return args[1] == "", nil
		}
		return unary(args[0], args[1])
	case 3:
		if isBinary(args[1]) {
			return binary(args[0], args[1], args[2])
		}
		if args[0] == "!" {
			v, err := eval(args[1:])
			return !v, err
		}
		if args[0] == "(" && args[2] == ")" {
			return eval(args[1:2])
		}
		return false, fmt.Errorf("%s: binary operator expected", args[1])
	case 4:
		if args[0] == "!" {
			v, err := eval(args[1:])
			return !v, err
		}
		if args[0] == "(" && args[3] == ")" {
			return eval(args[1:3])
		}
	}
	return false, errors.New("too many arguments")
}

func unary(op, operand string) (bool, error) {
	switch op {
	case "-n":
		return operand != "", nil
	case "-z":
		return operand == "", nil
	case "-t":
		return false, nil
	case "-h", "-L":
		fi, err := os.Lstat(operand)
		return err == nil && fi.Mode()&fs.ModeSymlink != 0, nil
	}
	fi, err := os.Stat(operand)
	exists := err == nil
	switch op {
	case "-e":
		return exists, nil
	case "-f":
		return exists && fi.Mode().IsRegular(), nil
	case "-d":
		return exists && fi.IsDir(), nil
	case "-s":
		return exists && fi.Size() > 0, nil
	case "-p":
		return exists && fi.Mode()&fs.ModeNamedPipe != 0, nil
	case "-S":
		return exists && fi.Mode()&fs.ModeSocket != 0, nil
	case "-b":
		return exists && fi.Mode()&fs.ModeDevice != 0 && fi.Mode()&fs.ModeCharDevice == 0, nil
	case "-c":
		return exists && fi.Mode()&fs.ModeCharDevice != 0, nil
	case "-g":
		return exists && fi.Mode()&fs.ModeSetgid != 0, nil
	case "-u":
		return exists && fi.Mode()&fs.ModeSetuid != 0, nil
	case "-r":
		return exists && access(operand, rOK), nil
	case "-w":
		return exists && access(operand, wOK), nil
	case "-x":
		return exists && access(operand, xOK), nil
	}
	return false, fmt.Errorf("%s: unary operator expected", op)
}

func isBinary(op string) bool {
	switch op {
	case "=", "!=", "-eq", "-ne", "-gt", "-ge", "-lt", "-le":
		return true
	}
	return false
}

func binary(a, op, b string) (bool, error) {
	switch op {
	case "=":
		return a == b, nil
	case "!=":
		return a != b, nil
	}
	x, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return false, fmt.Errorf("%s: integer expression expected", a)
	}
	y, err := strconv.ParseInt(b, 10, 64)
	if err != nil {
		return false, fmt.Errorf("%s: integer expression expected", b)
	}
	switch op {
	case "-eq":
		return x == y, nil
	case "-ne":
		return x != y, nil
	case "-gt":
		return x > y, nil
	case "-ge":
		return x >= y, nil
	case "-lt":
		return x < y, nil
	default: // "-le"
		return x <= y, nil
	}
}
