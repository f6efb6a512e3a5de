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
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2/ktesting"

	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/controller"
	kmmfake "github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned/fake"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
)

// fakeRunner stands in for the controller: it "reconciles" while Run runs.
type fakeRunner struct {
	name    string
	synced  atomic.Bool
	running atomic.Bool
	// warmed: WarmUp was called.
	warmed atomic.Bool
	// ignoreCancel keeps Run going this long after ctx is done (a stuck reconciliation).
	ignoreCancel time.Duration
	// fail makes Run return this error at once.
	fail error

	mu             sync.Mutex
	started, ended time.Time
	log            *eventLog
}

// eventLog records which runner ran when, to check that two never overlap.
type eventLog struct {
	mu     sync.Mutex
	events []string
	active int
	maxAct int
}

func (l *eventLog) add(e string, delta int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	l.active += delta
	l.maxAct = max(l.maxAct, l.active)
}

func (r *fakeRunner) Run(ctx context.Context) error {
	if r.fail != nil {
		return r.fail
	}
	r.mu.Lock()
	r.started = time.Now()
	r.mu.Unlock()
	r.running.Store(true)
	if r.log != nil {
		r.log.add(r.name+" started", 1)
	}
	<-ctx.Done()
	time.Sleep(r.ignoreCancel)
	r.running.Store(false)
	if r.log != nil {
		r.log.add(r.name+" stopped", -1)
	}
	r.mu.Lock()
	r.ended = time.Now()
	r.mu.Unlock()
	return nil
}

func (r *fakeRunner) HasSynced() bool { return r.synced.Load() }

func (r *fakeRunner) WarmUp(context.Context) error {
	r.warmed.Store(true)
	return nil
}

func (r *fakeRunner) times() (time.Time, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started, r.ended
}

// instance is one in-process operator.
type instance struct {
	addr    string
	cancel  context.CancelFunc
	done    chan error    // Run's result
	stopped chan struct{} // closed when Run has returned
	runner  *fakeRunner
}

func testConfig() Config {
	cfg := defaultConfig()
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

func electionConfig(identity string) Config {
	cfg := testConfig()
	cfg.LeaderElection = LeaderElectionConfig{
		Enabled: true, LeaseName: "kmm-operator", LeaseNamespace: "ops", Identity: identity,
		// A margin of over a second between the renew deadline (plus one retry period) and the
		// lease duration: the old leader stops well before a standby may take over.
		LeaseDuration: 3 * time.Second, RenewDeadline: 1500 * time.Millisecond, RetryPeriod: 250 * time.Millisecond,
		WarmStandby: true,
	}
	return cfg
}

func startInstance(t *testing.T, cfg Config, clients *Clients, runner Runner, m *metrics.Metrics) *instance {
	t.Helper()
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	in := &instance{addr: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1), stopped: make(chan struct{})}
	if fr, ok := runner.(*fakeRunner); ok {
		in.runner = fr
	}
	go func() {
		defer close(in.stopped)
		in.done <- Run(ctx, cfg, Deps{
			Clients: clients, Metrics: m, Listener: ln,
			NewController: func(controller.Config, *Clients, record.EventRecorder, *metrics.Metrics) (Runner, error) {
				return runner, nil
			},
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-in.stopped:
		case <-time.After(10 * time.Second):
			t.Errorf("instance did not stop")
		}
	})
	return in
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually polls cond every 20 ms for at most d.
func eventually(t *testing.T, d time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s: "+msg, append([]any{d}, args...)...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fakeClients(objs ...runtime.Object) *Clients {
	kube := kubefake.NewClientset(objs...)
	return &Clients{Kube: kube, Election: kube, KMM: kmmfake.NewSimpleClientset(), Metadata: metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme())}
}

func TestEndpoints(t *testing.T) {
	runner := &fakeRunner{}
	m := metrics.New()
	in := startInstance(t, testConfig(), fakeClients(), runner, m)

	// Not ready before the caches are synced.
	eventually(t, 5*time.Second, func() bool {
		code, body := get(t, in.addr+"/readyz")
		return code == http.StatusInternalServerError && strings.Contains(body, "caches not synced")
	}, "not ready: caches not synced")
	code, body := get(t, in.addr+"/readyz")
	require.Equal(t, http.StatusInternalServerError, code)
	code, _ = get(t, in.addr+"/ready")
	require.Equal(t, http.StatusInternalServerError, code, "Strimzi's path is an alias")

	// Healthy meanwhile: liveness does not depend on the caches.
	code, body = get(t, in.addr+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok", body)
	code, body = get(t, in.addr+"/healthz?verbose")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "[+]heartbeat ok")
	require.Contains(t, body, "[+]reconcile-stall ok")

	runner.synced.Store(true)
	code, body = get(t, in.addr+"/readyz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok", body)

	code, body = get(t, in.addr+"/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "kmm_build_info"} {
		require.Contains(t, body, "\n"+name, "metric %s", name)
	}

	// pprof is off by default.
	code, _ = get(t, in.addr+"/debug/pprof/")
	require.Equal(t, http.StatusNotFound, code)

	// Graceful stop.
	in.cancel()
	select {
	case err := <-in.done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	require.False(t, runner.running.Load())
}

func TestPprofFlag(t *testing.T) {
	cfg := testConfig()
	cfg.EnablePprof = true
	in := startInstance(t, cfg, fakeClients(), &fakeRunner{}, metrics.New())
	eventually(t, 5*time.Second, func() bool { code, _ := get(t, in.addr+"/debug/pprof/"); return code == http.StatusOK }, "pprof served")
}

// TestReadiness: a leader is ready once synced; a cold standby at once; a warm standby once synced.
func TestReadiness(t *testing.T) {
	h := newHealth(fakeClockNow{})
	var synced atomic.Bool
	h.synced = synced.Load
	for _, tc := range []struct {
		role   Role
		warm   bool
		synced bool
		ready  bool
	}{
		{RoleLeader, false, false, false}, {RoleLeader, false, true, true},
		{RoleStandby, false, false, true}, {RoleStandby, true, false, false}, {RoleStandby, true, true, true},
		{RoleShuttingDown, true, true, false},
	} {
		h.setRole(tc.role)
		h.warmStandby.Store(tc.warm)
		synced.Store(tc.synced)
		ok, why := h.ready()
		require.Equal(t, tc.ready, ok, "%+v: %s", tc, why)
	}
}

func TestHealthzFailures(t *testing.T) {
	h := newHealth(fakeClockNow{})
	h.heartbeat.Store(time.Now().Add(-time.Minute).UnixNano())
	ok, lines := h.live()
	require.False(t, ok)
	require.Contains(t, strings.Join(lines, "\n"), "[-]heartbeat failed")

	m := metrics.New()
	g := m.Registry
	check := stalledWorkers(g, time.Minute)
	require.NoError(t, check())
	// A queue whose longest-running item has been processed for 2 minutes.
	q := m.WorkqueueProvider().NewLongestRunningProcessorSecondsMetric("kafkamirrormakers")
	q.Set(120)
	require.ErrorContains(t, check(), `queue "kafkamirrormakers" has been running for 120s`)
}

type fakeClockNow struct{}

func (fakeClockNow) Now() time.Time                  { return time.Now() }
func (fakeClockNow) Since(t time.Time) time.Duration { return time.Since(t) }

// TestRealControllerMetrics runs the real controller on fake clients with one resource and
// checks the Strimzi and workqueue metrics and readiness.
func TestRealControllerMetrics(t *testing.T) {
	kmm := &kafkav1beta2.KafkaMirrorMaker{
		ObjectMeta: metav1.ObjectMeta{Name: "mm", Namespace: "ns", Generation: 1, UID: "uid-1"},
	}
	clients := fakeClients()
	clients.KMM = kmmfake.NewSimpleClientset(kmm)
	m := metrics.New()
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := "http://" + ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, testConfig(), Deps{Clients: clients, Metrics: m, Listener: ln}) }()

	eventually(t, 20*time.Second, func() bool { code, _ := get(t, addr+"/readyz"); return code == http.StatusOK }, "ready")
	eventually(t, 20*time.Second, func() bool {
		_, body := get(t, addr+"/metrics")
		// The counter exists at 0 from the start; wait for a count.
		return regexp.MustCompile(`\nstrimzi_reconciliations_total\{[^}]*\} [1-9]`).MatchString(body)
	}, "a reconciliation is counted")
	_, body := get(t, addr+"/metrics")
	for _, name := range []string{"strimzi_reconciliations_total", "strimzi_resources", "workqueue_depth", "workqueue_adds_total",
		"go_goroutines", "process_resident_memory_bytes"} {
		require.Regexp(t, "\n"+name+"[{ ]", body, "metric %s", name)
	}
	require.Contains(t, body, `workqueue_depth{name="`+controller.QueueName+`"}`)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}

// sharedLeaseClient returns a fake clientset that stores in tracker's objects and fails every
// request while partitioned is true, as if the network to the API server were cut.
func sharedLeaseClient(tracker clienttesting.ObjectTracker, partitioned *atomic.Bool) *kubefake.Clientset {
	c := &kubefake.Clientset{}
	c.AddReactor("*", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
		if partitioned.Load() {
			return true, nil, errors.New("connection refused (simulated)")
		}
		return false, nil, nil
	})
	c.AddReactor("*", "*", clienttesting.ObjectReaction(tracker))
	return c
}

func leaseHolder(t *testing.T, c *kubefake.Clientset) string {
	l, err := c.CoordinationV1().Leases("ops").Get(context.Background(), "kmm-operator", metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// TestLeaderElection runs three in-process operators on one (fake) API server: exactly one
// reconciles at any time; a graceful stop hands over within a few retry periods; a leader cut
// off from the API server stops reconciling and exits with ErrLeadershipLost, and a standby
// takes over once the Lease has expired.
func TestLeaderElection(t *testing.T) {
	store := kubefake.NewClientset()
	var never, partitionB atomic.Bool
	log := &eventLog{}
	mk := func(name string, partitioned *atomic.Bool) (*fakeRunner, *Clients) {
		r := &fakeRunner{name: name, log: log}
		r.synced.Store(true)
		c := fakeClients()
		c.Election = sharedLeaseClient(store.Tracker(), partitioned)
		return r, c
	}

	runnerA, clientsA := mk("a", &never)
	a := startInstance(t, electionConfig("a"), clientsA, runnerA, metrics.New())
	eventually(t, 5*time.Second, runnerA.running.Load, "a leads")
	require.Equal(t, "a", leaseHolder(t, store))

	runnerB, clientsB := mk("b", &partitionB)
	b := startInstance(t, electionConfig("b"), clientsB, runnerB, metrics.New())
	// b is a ready standby and does not reconcile.
	eventually(t, 5*time.Second, func() bool { code, _ := get(t, b.addr+"/readyz"); return code == http.StatusOK }, "standby ready")
	_, body := get(t, b.addr+"/readyz?verbose")
	require.Contains(t, body, "standby")
	_, body = get(t, a.addr+"/metrics")
	require.Contains(t, body, `leader_election_master_status{name="kmm-operator"} 1`)
	_, body = get(t, b.addr+"/metrics")
	require.Contains(t, body, `leader_election_master_status{name="kmm-operator"} 0`)
	time.Sleep(time.Second) // several retry periods: b must stay standby
	require.False(t, runnerB.running.Load())
	require.True(t, runnerB.warmed.Load(), "a standby fills its caches while it waits (--leader-election-warm-standby)")

	// Graceful stop of a: the controller stops first, then the Lease is released, then b leads.
	stopAt := time.Now()
	a.cancel()
	select {
	case err := <-a.done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("a did not stop")
	}
	eventually(t, 3*time.Second, runnerB.running.Load, "b takes over after a graceful stop")
	bStart, _ := runnerB.times()
	_, aEnd := runnerA.times()
	require.True(t, !bStart.Before(aEnd), "b started before a stopped")
	t.Logf("graceful handover: a stopped %s after the cancel, b reconciling %s after the cancel", aEnd.Sub(stopAt), bStart.Sub(stopAt))

	// A third replica as standby, then b loses the API server.
	// c is a cold standby: it fills no cache before it leads.
	runnerC, clientsC := mk("c", &never)
	cfgC := electionConfig("c")
	cfgC.LeaderElection.WarmStandby = false
	c := startInstance(t, cfgC, clientsC, runnerC, metrics.New())
	eventually(t, 5*time.Second, func() bool { code, _ := get(t, c.addr+"/readyz"); return code == http.StatusOK }, "c ready")
	time.Sleep(500 * time.Millisecond)
	require.False(t, runnerC.running.Load())
	require.False(t, runnerC.warmed.Load(), "--leader-election-warm-standby=false")

	cutAt := time.Now()
	partitionB.Store(true)
	select {
	case err := <-b.done:
		require.ErrorIs(t, err, ErrLeadershipLost)
	case <-time.After(10 * time.Second):
		t.Fatal("b did not give up leadership")
	}
	_, bEnd := runnerB.times()
	eventually(t, 10*time.Second, runnerC.running.Load, "c takes over after the Lease expired")
	cStart, _ := runnerC.times()
	require.True(t, !cStart.Before(bEnd), "c started %s after the cut, before b stopped (%s after the cut)", cStart.Sub(cutAt), bEnd.Sub(cutAt))
	// c waits for the Lease to expire: at least the lease duration after b's last renewal,
	// which was at most one retry period before the cut.
	le := electionConfig("c").LeaderElection
	require.GreaterOrEqual(t, cStart.Sub(cutAt), le.LeaseDuration-le.RetryPeriod*2, "c took over before the Lease expired")
	t.Logf("partitioned leader: b stopped %s after the cut (renew deadline %s), c reconciling %s after the cut (lease duration %s)",
		bEnd.Sub(cutAt), le.RenewDeadline, cStart.Sub(cutAt), le.LeaseDuration)

	log.mu.Lock()
	defer log.mu.Unlock()
	require.Equal(t, 1, log.maxAct, "never more than one reconciling replica: %v", log.events)
	require.Equal(t, []string{"a started", "a stopped", "b started", "b stopped", "c started"}, log.events)
}

// TestShutdownTimeout: a leader whose controller does not stop in time exits with an error and
// does not release the Lease (it expires by itself, after the stuck work).
func TestShutdownTimeout(t *testing.T) {
	runner := &fakeRunner{ignoreCancel: 3 * time.Second}
	runner.synced.Store(true)
	clients := fakeClients()
	cfg := electionConfig("a")
	cfg.ShutdownTimeout = 500 * time.Millisecond
	in := startInstance(t, cfg, clients, runner, metrics.New())
	eventually(t, 5*time.Second, runner.running.Load, "leading")
	in.cancel()
	select {
	case err := <-in.done:
		require.ErrorIs(t, err, ErrShutdownTimeout)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	require.Equal(t, "a", leaseHolder(t, clients.Election.(*kubefake.Clientset)), "the Lease must not be released while work may still run")
}

// TestControllerFailure: a controller that fails while leading makes Run return an error and
// releases the Lease for a healthy replica.
func TestControllerFailure(t *testing.T) {
	runner := &fakeRunner{fail: errors.New("boom")}
	clients := fakeClients()
	in := startInstance(t, electionConfig("a"), clients, runner, metrics.New())
	select {
	case err := <-in.done:
		require.ErrorContains(t, err, "boom")
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	require.Equal(t, "", leaseHolder(t, clients.Election.(*kubefake.Clientset)), "the Lease is released")

	// Without leader election too.
	runner2 := &fakeRunner{fail: errors.New("bang")}
	in2 := startInstance(t, testConfig(), fakeClients(), runner2, metrics.New())
	select {
	case err := <-in2.done:
		require.ErrorContains(t, err, "bang")
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}

func TestHTTPAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	cfg := testConfig()
	cfg.HTTPAddress = ln.Addr().String()
	_, ctx := ktesting.NewTestContext(t)
	err = Run(ctx, cfg, Deps{Clients: fakeClients(), NewController: func(controller.Config, *Clients, record.EventRecorder, *metrics.Metrics) (Runner, error) {
		return &fakeRunner{}, nil
	}})
	require.ErrorContains(t, err, fmt.Sprintf("serving the HTTP endpoints on %s (--http-address)", cfg.HTTPAddress))
}
