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
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// LevelTrace is log4j's TRACE, one step below slog's Debug.
const LevelTrace = slog.LevelDebug - 4

// LevelOff is log4j's OFF: above every level kmm-mirror logs at.
const LevelOff = slog.LevelError + 8

var log4jVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// logLevel derives the root log level from the log4j.properties the operator mounts from its
// ConfigMap at <base>/custom-config/log4j.properties (strimzi-kafkamirrormaker.md §3.4, §6.1 step
// 4): the level is the first comma-separated word of log4j.rootLogger after ${...} substitution
// (the default file sets it to ${mirrormaker.root.logger}, CONSOLE), or of mirrormaker.root.logger
// when the root logger is not set. No file means INFO. A level log4j does not know makes log4j 1 use
// DEBUG (OptionConverter.toLevel), so it does here too, with a notice.
func logLevel(base string, n *notices) (slog.Level, error) {
	path := filepath.Join(base, "custom-config", "log4j.properties")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return slog.LevelInfo, nil
	}
	if err != nil {
		return 0, &Error{Name: path, Reason: "cannot be read", Err: errors.Unwrap(err)}
	}
	list, err := parseProperties(string(data))
	if err != nil {
		return 0, &Error{Name: path, Reason: "is not a valid properties file", Err: err}
	}
	vals := map[string]string{}
	for _, kv := range list {
		vals[kv.Key] = kv.Value
	}
	value, ok := vals["log4j.rootLogger"]
	if !ok {
		if value, ok = vals["mirrormaker.root.logger"]; !ok {
			return slog.LevelInfo, nil
		}
	}
	for i := 0; i < 10 && log4jVar.MatchString(value); i++ {
		value = log4jVar.ReplaceAllStringFunc(value, func(m string) string {
			return vals[log4jVar.FindStringSubmatch(m)[1]]
		})
	}
	word := strings.ToUpper(strings.TrimSpace(strings.SplitN(value, ",", 2)[0]))
	switch word {
	case "ALL", "TRACE":
		return LevelTrace, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN":
		return slog.LevelWarn, nil
	case "ERROR", "FATAL":
		return slog.LevelError, nil
	case "OFF":
		return LevelOff, nil
	case "":
		// "log4j.rootLogger=, CONSOLE" keeps log4j's root default, DEBUG.
		return slog.LevelDebug, nil
	}
	n.warn(path, "root log level %q is unknown to log4j; using DEBUG as log4j does", word)
	return slog.LevelDebug, nil
}
