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
	"fmt"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/utils/clock"
)

// Role is what the process currently does.
type Role int32

// The roles, in the order a process goes through them.
const (
	RoleStarting     Role = iota // constructing, not yet running
	RoleStandby                  // leader election on, waiting for the Lease
	RoleLeader                   // running the controller
	RoleShuttingDown             // SIGTERM received
)

func (r Role) String() string {
	switch r {
	case RoleStarting:
		return "starting"
	case RoleStandby:
		return "standby"
	case RoleLeader:
		return "leader"
	case RoleShuttingDown:
		return "shutting down"
	}
	return "unknown"
}

// check is one named health check; nil means healthy.
type check struct {
	name string
	fn   func() error
}

// health holds the state behind /healthz and /readyz.
type health struct {
	clock clock.PassiveClock
	role  atomic.Int32
	// synced reports whether the controller's caches are synced (leader, warm standby).
	synced func() bool
	// warmStandby: a standby fills its caches, and is ready once they are synced.
	warmStandby atomic.Bool

	mu       sync.Mutex
	liveness []check

	// heartbeat: a goroutine stamps it every heartbeatPeriod; a stale stamp means the process
	// no longer schedules its own goroutines (wedged, or starved of CPU for a long time).
	heartbeat       atomic.Int64 // unix nanoseconds
	heartbeatPeriod time.Duration
	heartbeatMaxAge time.Duration
}

func newHealth(c clock.PassiveClock) *health {
	h := &health{clock: c, synced: func() bool { return false }, heartbeatPeriod: time.Second, heartbeatMaxAge: 30 * time.Second}
	h.heartbeat.Store(c.Now().UnixNano())
	h.addLiveness("heartbeat", h.checkHeartbeat)
	return h
}

func (h *health) setRole(r Role) { h.role.Store(int32(r)) }

// Role returns the current role.
func (h *health) Role() Role { return Role(h.role.Load()) }

func (h *health) addLiveness(name string, fn func() error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.liveness = append(h.liveness, check{name, fn})
}

// runHeartbeat stamps the heartbeat until ctx is done.
func (h *health) runHeartbeat(ctx context.Context, c clock.WithTicker) {
	t := c.NewTicker(h.heartbeatPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C():
			h.heartbeat.Store(now.UnixNano())
		}
	}
}

func (h *health) checkHeartbeat() error {
	last := time.Unix(0, h.heartbeat.Load())
	if age := h.clock.Since(last); age > h.heartbeatMaxAge {
		return fmt.Errorf("the process heartbeat is %s old (limit %s): the process is wedged", age.Round(time.Second), h.heartbeatMaxAge)
	}
	return nil
}

// ready reports readiness: a leader once its caches are synced; a standby once it runs, or, warm,
// once its caches are synced too (so that a rolling update replaces the leader only once a
// standby can take over at once).
func (h *health) ready() (bool, string) {
	switch r := h.Role(); r {
	case RoleLeader:
		if h.synced() {
			return true, "leader, caches synced"
		}
		return false, "leader, caches not synced yet"
	case RoleStandby:
		if !h.warmStandby.Load() {
			return true, "standby, waiting for the Lease"
		}
		if h.synced() {
			return true, "warm standby, caches synced, waiting for the Lease"
		}
		return false, "warm standby, caches not synced yet"
	default:
		return false, r.String()
	}
}

// live runs the liveness checks and returns one line per check.
func (h *health) live() (bool, []string) {
	h.mu.Lock()
	checks := append([]check(nil), h.liveness...)
	h.mu.Unlock()
	ok := true
	lines := make([]string, 0, len(checks))
	for _, c := range checks {
		if err := c.fn(); err != nil {
			ok = false
			lines = append(lines, fmt.Sprintf("[-]%s failed: %v", c.name, err))
		} else {
			lines = append(lines, fmt.Sprintf("[+]%s ok", c.name))
		}
	}
	return ok, lines
}

func (h *health) serveHealthz(w http.ResponseWriter, r *http.Request) {
	ok, lines := h.live()
	write(w, r, ok, lines, "healthz")
}

func (h *health) serveReadyz(w http.ResponseWriter, r *http.Request) {
	ok, why := h.ready()
	mark := "[+]"
	if !ok {
		mark = "[-]"
	}
	write(w, r, ok, []string{mark + "role " + h.Role().String() + ": " + why}, "readyz")
}

// write answers like the Kubernetes components: "ok" (200) or the failed checks (500), with
// every check listed for ?verbose.
func write(w http.ResponseWriter, r *http.Request, ok bool, lines []string, name string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, verbose := r.URL.Query()["verbose"]
	if ok && !verbose {
		fmt.Fprint(w, "ok")
		return
	}
	if !ok {
		w.WriteHeader(http.StatusInternalServerError)
	}
	for _, l := range lines {
		if verbose || strings.HasPrefix(l, "[-]") {
			fmt.Fprintln(w, l)
		}
	}
	if ok {
		fmt.Fprintf(w, "%s check passed\n", name)
	} else {
		fmt.Fprintf(w, "%s check failed\n", name)
	}
}

// newMux serves the health endpoints, /metrics from gatherer and, if enabled, pprof.
// /healthy and /ready are aliases with Strimzi's paths, so probes copied from a Strimzi
// Deployment keep working.
func newMux(h *health, gatherer prometheus.Gatherer, enablePprof bool) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h.serveHealthz)
	mux.HandleFunc("GET /healthy", h.serveHealthz)
	mux.HandleFunc("GET /readyz", h.serveReadyz)
	mux.HandleFunc("GET /ready", h.serveReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	if enablePprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// stalledWorkers returns a liveness check that fails when a reconciliation has been running
// for longer than limit, read from the workqueue_longest_running_processor_seconds gauge of
// the controller's queues: a worker stuck that long (e.g. on a request that never returns)
// will not recover by itself.
func stalledWorkers(gatherer prometheus.Gatherer, limit time.Duration) func() error {
	return func() error {
		families, err := gatherer.Gather()
		if err != nil {
			return nil // a gathering problem is not the controller's
		}
		for _, f := range families {
			if f.GetName() != "workqueue_longest_running_processor_seconds" {
				continue
			}
			for _, m := range f.GetMetric() {
				secs := m.GetGauge().GetValue()
				if time.Duration(secs*float64(time.Second)) > limit {
					queue := ""
					for _, l := range m.GetLabel() {
						if l.GetName() == "name" {
							queue = l.GetValue()
						}
					}
					return fmt.Errorf("a reconciliation of queue %q has been running for %.0fs (limit %s)", queue, secs, limit)
				}
			}
		}
		return nil
	}
}
