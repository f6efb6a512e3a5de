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

package config

import (
	"fmt"
	"log/slog"
	"strconv"
)

// Hidden replaces every secret value (password, token, client secret, key, JAAS text) in errors,
// notices and summaries, as the image's run script prints the generated properties
// (strimzi-kafkamirrormaker.md §6.1 step 3).
const Hidden = "[hidden]"

// Error is a configuration error: Java MirrorMaker 1 would not have started with it, so the caller
// exits 1 (mirrormaker1-dataplane.md §1.2). It names the variable, file or property and shows the
// offending value unless that value is a secret.
type Error struct {
	// Name is the variable, file or property, e.g. "KAFKA_MIRRORMAKER_NUMSTREAMS" or
	// "consumer property max.poll.records".
	Name string
	// Value is the offending value as given; empty when there is none to show.
	Value string
	// Secret hides Value: the message then shows [hidden].
	Secret bool
	// Reason says what is wrong, e.g. "is not an integer".
	Reason string
	// Err is the underlying error, if any; its text is appended and must not contain secrets.
	Err error
}

// Error renders `<name>: "<value>" <reason>[: <cause>]`, or `<name>: <reason>` without a value.
func (e *Error) Error() string {
	s := e.Name + ": "
	switch {
	case e.Secret:
		s += Hidden + " "
	case e.Value != "":
		s += strconv.Quote(e.Value) + " "
	}
	s += e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// errorf builds an *Error without a value.
func errorf(name, format string, args ...any) *Error {
	return &Error{Name: name, Reason: fmt.Sprintf(format, args...)}
}

// valueError builds an *Error that shows value.
func valueError(name, value, format string, args ...any) *Error {
	return &Error{Name: name, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// notices collects start-up notices in order.
type notices []Notice

func (n *notices) add(level slog.Level, name, format string, args ...any) {
	*n = append(*n, Notice{Level: level, Name: name, Message: fmt.Sprintf(format, args...)})
}

func (n *notices) info(name, format string, args ...any) {
	n.add(slog.LevelInfo, name, format, args...)
}

func (n *notices) warn(name, format string, args ...any) {
	n.add(slog.LevelWarn, name, format, args...)
}
