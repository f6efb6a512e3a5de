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

package operator

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"strconv"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/textlogger"
)

// setupLogging makes logger the process-wide klog logger (client-go's logs included) and
// returns it for the root context. "text" is klog's text format; "json" is one JSON object per
// line, written by log/slog's JSON handler: time, level (INFO or ERROR), msg, "v" (the klog
// verbosity of an INFO message, when above 0), "logger" (the logger's name), "err", then the
// key/value pairs.
func setupLogging(format string, verbosity int, out io.Writer) klog.Logger {
	// klog.V() checks klog's own verbosity before it reaches the logger: keep both in step.
	var fs flag.FlagSet
	klog.InitFlags(&fs)
	_ = fs.Set("v", strconv.Itoa(verbosity))

	var logger logr.Logger
	switch format {
	case "json":
		logger = logr.FromSlogHandler(verbosityHandler{slog.NewJSONHandler(out, &slog.HandlerOptions{Level: slog.Level(-verbosity)})})
	default:
		logger = textlogger.NewLogger(textlogger.NewConfig(textlogger.Verbosity(verbosity), textlogger.Output(out)))
	}
	klog.SetLoggerWithOptions(logger, klog.ContextualLogger(true))
	klog.EnableContextualLogging(true)
	return logger
}

// verbosityHandler logs klog's V(n) messages, which logr hands to slog with level -n, as INFO
// messages with a "v": n attribute, as Kubernetes components do in JSON.
type verbosityHandler struct{ slog.Handler }

func (h verbosityHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelInfo {
		nr := slog.NewRecord(r.Time, slog.LevelInfo, r.Message, r.PC)
		nr.AddAttrs(slog.Int("v", int(slog.LevelInfo-r.Level)))
		r.Attrs(func(a slog.Attr) bool {
			nr.AddAttrs(a)
			return true
		})
		r = nr
	}
	return h.Handler.Handle(ctx, r)
}

func (h verbosityHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return verbosityHandler{h.Handler.WithAttrs(attrs)}
}

func (h verbosityHandler) WithGroup(name string) slog.Handler {
	return verbosityHandler{h.Handler.WithGroup(name)}
}
