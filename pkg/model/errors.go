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

package model

import "fmt"

// Reasons used in Error.Reason: the simple class names of the exceptions Strimzi throws for the
// same failures, as they appear in the reason of a NotReady condition.
const (
	ReasonInvalidResource        = "InvalidResourceException"
	ReasonInvalidConfiguration   = "InvalidConfigurationException"
	ReasonInvalidConfigParameter = "InvalidConfigParameterException"
	ReasonIllegalArgument        = "IllegalArgumentException"
	ReasonNoStackTraceThrowable  = "NoStackTraceThrowable"
	ReasonNullPointer            = "NullPointerException"
	ReasonPatternSyntax          = "PatternSyntaxException"
)

// Error is a failure to build the desired objects from the resource and what it references. The
// operator reports it in the NotReady condition as reason Reason and message Message.
type Error struct {
	Reason  string
	Message string
}

// Error returns "<Reason>: <Message>".
func (e *Error) Error() string {
	return e.Reason + ": " + e.Message
}

func newError(reason, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Reason: reason, Message: format}
	}
	return &Error{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

func invalidResource(format string, args ...any) *Error {
	return newError(ReasonInvalidResource, format, args...)
}

func invalidConfiguration(format string, args ...any) *Error {
	return newError(ReasonInvalidConfiguration, format, args...)
}

// invalidConfigParameter mirrors InvalidConfigParameterException(key, message), whose message is
// "<key>: <message>".
func invalidConfigParameter(key, message string) *Error {
	return &Error{Reason: ReasonInvalidConfigParameter, Message: key + ": " + message}
}

// javaList formats items as java.util.List.toString does: "[a, b]".
func javaList(items []string) string {
	out := "["
	for i, s := range items {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out + "]"
}
