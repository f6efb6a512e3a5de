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
package mirror

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kgoLogger sends franz-go's log lines to the mirror's logger. franz-go logs every connection
// and metadata refresh at info; at the default INFO level only its warnings and errors are
// shown, at DEBUG (mirrormaker.root.logger=DEBUG) everything.
type kgoLogger struct {
	log   *slog.Logger
	level slog.Level
}

func (l kgoLogger) Level() kgo.LogLevel {
	switch {
	case l.level <= slog.LevelDebug-4:
		return kgo.LogLevelDebug
	case l.level <= slog.LevelDebug:
		return kgo.LogLevelInfo
	case l.level <= slog.LevelWarn:
		return kgo.LogLevelWarn
	default:
		return kgo.LogLevelError
	}
}

func (l kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lvl := slog.LevelDebug
	switch level {
	case kgo.LogLevelError:
		lvl = slog.LevelError
	case kgo.LogLevelWarn:
		lvl = slog.LevelWarn
	case kgo.LogLevelInfo:
		// One step below the mirror's own INFO: franz-go's info lines are debugging detail here.
		lvl = slog.LevelDebug
	}
	l.log.Log(context.Background(), lvl, msg, keyvals...)
}
