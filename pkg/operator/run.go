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
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/kmm-operator/kmm-operator/pkg/controller"
	kmmscheme "github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned/scheme"
	"github.com/kmm-operator/kmm-operator/pkg/heaprelease"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/version"
)

// EventComponent is the source component of the operator's Events.
const EventComponent = "kmm-operator"

// Errors Run returns; Main turns every error into exit code 1.
var (
	// ErrLeadershipLost: the Lease could not be renewed in time, so another replica may lead.
	ErrLeadershipLost = errors.New("leadership lost: the Lease could not be renewed within the renew deadline")
	// ErrShutdownTimeout: in-flight work did not stop within the shutdown timeout.
	ErrShutdownTimeout = errors.New("in-flight reconciliations did not finish within the shutdown timeout")
)

// Runner is what Run needs from the controller.
type Runner interface {
	// Run starts the informers, waits for their caches and runs the workers until ctx is done.
	Run(ctx context.Context) error
	// WarmUp starts the informers and waits for their caches without reconciling anything; a
	// later Run uses them. It returns early when ctx is done.
	WarmUp(ctx context.Context) error
	// HasSynced reports whether the caches are synced.
	HasSynced() bool
}

// NewControllerFunc builds the controller.
type NewControllerFunc func(cfg controller.Config, clients *Clients, recorder record.EventRecorder, m *metrics.Metrics) (Runner, error)

// NewController builds the KafkaMirrorMaker controller: the default NewControllerFunc.
func NewController(cfg controller.Config, c *Clients, recorder record.EventRecorder, m *metrics.Metrics) (Runner, error) {
	return controller.New(cfg, c.Kube, c.KMM, c.Metadata, recorder, m)
}

// Deps are Run's collaborators. Only Clients is required.
type Deps struct {
	Clients *Clients
	// Metrics is the registry served on /metrics; default metrics.New().
	Metrics *metrics.Metrics
	// NewController default NewController.
	NewController NewControllerFunc
	// Listener for the HTTP endpoints; default a listener on Config.HTTPAddress.
	Listener net.Listener
	// Clock default the real clock.
	Clock clock.WithTicker
}

// ControllerConfig maps the process configuration to the controller's.
func ControllerConfig(cfg *Config, clk clock.WithTicker) controller.Config {
	return controller.Config{
		Namespaces:                 cfg.Namespaces,
		Selector:                   cfg.Selector,
		Workers:                    cfg.Workers,
		FullReconciliationInterval: cfg.FullReconciliationInterval,
		OperationTimeout:           cfg.OperationTimeout,
		Settings:                   cfg.Settings,
		DeprecationWarning:         cfg.DeprecationWarning,
		FieldManager:               cfg.FieldManager,
		Clock:                      clk,
	}
}

// eventScheme knows the built-in kinds and KafkaMirrorMaker, the kinds Events refer to.
func eventScheme() *k8sruntime.Scheme {
	s := k8sruntime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = kmmscheme.AddToScheme(s)
	return s
}

// Run runs the operator until ctx is done (graceful shutdown, nil error) or a fatal problem:
// it serves the HTTP endpoints, records Events, and runs the controller, behind leader
// election when it is enabled. cfg must be complete: with leader election on, the Lease
// namespace and the identity must be set.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := klog.FromContext(ctx)
	clk := deps.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	m := deps.Metrics
	if m == nil {
		m = metrics.New()
	}
	newCtrl := deps.NewController
	if newCtrl == nil {
		newCtrl = NewController
	}
	// Work that must outlive the SIGTERM (event recording, the heartbeat) uses base.
	base := context.WithoutCancel(ctx)

	h := newHealth(clk)
	hbCtx, stopHeartbeat := context.WithCancel(base)
	defer stopHeartbeat()
	go h.runHeartbeat(hbCtx, clk)
	// Return the heap a burst (start-up, a resynchronisation, many new resources) freed once it
	// is over, instead of keeping the burst's peak resident (package heaprelease).
	go heaprelease.NewDefault().Run(hbCtx)
	registerProcessMetrics(m.Registry)

	broadcaster := record.NewBroadcaster(record.WithContext(base))
	defer broadcaster.Shutdown()
	broadcaster.StartStructuredLogging(4)
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: deps.Clients.Kube.CoreV1().Events("")})
	recorder := broadcaster.NewRecorder(eventScheme(), corev1.EventSource{Component: EventComponent})

	ctrl, err := newCtrl(ControllerConfig(&cfg, clk), deps.Clients, recorder, m)
	if err != nil {
		return fmt.Errorf("creating the controller: %w", err)
	}
	h.synced = ctrl.HasSynced
	h.addLiveness("reconcile-stall", stalledWorkers(m.Registry, cfg.OperationTimeout+2*time.Minute))

	ln := deps.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.HTTPAddress); err != nil {
			return fmt.Errorf("serving the HTTP endpoints on %s (--http-address): %w", cfg.HTTPAddress, err)
		}
	}
	srv := &http.Server{Handler: newMux(h, m.Registry, cfg.EnablePprof), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error(err, "HTTP server failed")
		}
	}()
	logger.Info("Serving /healthz, /readyz and /metrics", "address", ln.Addr().String(), "pprof", cfg.EnablePprof)
	defer func() {
		sctx, cancel := context.WithTimeout(base, 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if !cfg.LeaderElection.Enabled {
		return runController(ctx, &cfg, ctrl, h, clk)
	}
	return runWithLeaderElection(ctx, &cfg, deps.Clients, ctrl, h, recorder, m.Registry, clk)
}

// runController runs the controller without leader election until ctx is done.
func runController(ctx context.Context, cfg *Config, ctrl Runner, h *health, clk clock.WithTicker) error {
	logger := klog.FromContext(ctx)
	h.setRole(RoleLeader)
	logger.Info("Starting the controller (leader election disabled)")
	done := make(chan error, 1)
	go func() { done <- ctrl.Run(ctx) }()
	select {
	case err := <-done:
		if ctx.Err() == nil {
			return fmt.Errorf("the controller stopped unexpectedly: %v", err)
		}
		return nil
	case <-ctx.Done():
	}
	h.setRole(RoleShuttingDown)
	logger.Info("Shutting down: waiting for in-flight reconciliations", "timeout", cfg.ShutdownTimeout)
	select {
	case <-done:
		logger.Info("Controller stopped")
		return nil
	case <-clk.After(cfg.ShutdownTimeout):
		return ErrShutdownTimeout
	}
}

// leaderResult is how the controller run of one term of leadership ended.
type leaderResult struct {
	err error
	// leaseLost: the term ended because the Lease was not renewed in time.
	leaseLost bool
}

// runWithLeaderElection campaigns for the Lease and runs the controller while it leads. On
// SIGTERM it stops the controller first and only then releases the Lease, so that the next
// leader never overlaps with in-flight work; if the controller does not stop within the
// shutdown timeout the Lease is left to expire instead.
func runWithLeaderElection(ctx context.Context, cfg *Config, clients *Clients, ctrl Runner, h *health,
	recorder record.EventRecorder, reg prometheus.Registerer, clk clock.WithTicker) error {
	le := cfg.LeaderElection
	logger := klog.LoggerWithValues(klog.FromContext(ctx), "lease", klog.KRef(le.LeaseNamespace, le.LeaseName), "identity", le.Identity)
	ctx = klog.NewContext(ctx, logger)

	leaderGauge := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "leader_election_master_status",
		Help:        "1 while this process holds the leader Lease, else 0",
		ConstLabels: prometheus.Labels{"name": le.LeaseName},
	})
	if err := reg.Register(leaderGauge); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			leaderGauge = are.ExistingCollector.(prometheus.Gauge)
		}
	}
	leaderGauge.Set(0)

	var leading atomic.Bool
	results := make(chan leaderResult, 1)
	lock := &guardedLock{Interface: &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: le.LeaseNamespace, Name: le.LeaseName},
		Client:     clients.Election.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: le.Identity, EventRecorder: recorder},
	}}
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   le.LeaseDuration,
		RenewDeadline:   le.RenewDeadline,
		RetryPeriod:     le.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            le.LeaseName,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(termCtx context.Context) {
				leading.Store(true)
				leaderGauge.Set(1)
				h.setRole(RoleLeader)
				logger.Info("Became the leader: starting the controller")
				// The controller stops when the term ends or on SIGTERM, whichever is first.
				cctx, cancel := context.WithCancel(termCtx)
				defer cancel()
				stop := context.AfterFunc(ctx, cancel)
				defer stop()
				err := ctrl.Run(cctx)
				results <- leaderResult{err: err, leaseLost: termCtx.Err() != nil && ctx.Err() == nil}
			},
			OnStoppedLeading: func() { leaderGauge.Set(0) },
			OnNewLeader: func(identity string) {
				if identity != le.Identity {
					logger.Info("Another replica leads", "leader", identity)
				}
			},
		},
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	// The watchdog: a leader whose Lease has expired without the elector noticing (a hung
	// renewal) must not go on reconciling next to the new leader; fail liveness.
	h.addLiveness("leader-election", func() error { return elector.Check(le.RetryPeriod) })

	electCtx, cancelElection := context.WithCancel(klog.NewContext(context.Background(), logger))
	electorDone := make(chan struct{})
	h.warmStandby.Store(le.WarmStandby)
	h.setRole(RoleStandby)
	logger.Info("Waiting to become the leader", "warmStandby", le.WarmStandby)
	if le.WarmStandby {
		// Alongside the campaign: winning the Lease must not wait for the lists.
		go func() {
			if err := ctrl.WarmUp(ctx); err != nil {
				logger.V(2).Info("Warm-up of the caches ended", "err", err)
			}
		}()
	}
	go func() {
		defer close(electorDone)
		elector.Run(electCtx)
	}()

	// waitElector releases the Lease (ReleaseOnCancel) and waits for the elector to stop.
	waitElector := func(deadline <-chan time.Time) error {
		cancelElection()
		select {
		case <-electorDone:
			return nil
		case <-deadline:
			return errors.New("timed out releasing the Lease")
		}
	}

	select {
	case <-ctx.Done():
		h.setRole(RoleShuttingDown)
		deadline := clk.After(cfg.ShutdownTimeout)
		if leading.Load() {
			logger.Info("Shutting down: stopping the controller, then releasing the Lease", "timeout", cfg.ShutdownTimeout)
			select {
			case <-results:
			case <-deadline:
				// Stop campaigning without releasing: the Lease expires by itself, after the
				// in-flight work.
				lock.suppressRelease.Store(true)
				cancelElection()
				return ErrShutdownTimeout
			}
		} else {
			logger.Info("Shutting down (standby)")
		}
		if err := waitElector(deadline); err != nil {
			return err
		}
		logger.Info("Stopped; Lease released")
		return nil

	case r := <-results:
		// The term ended without SIGTERM.
		if r.leaseLost {
			h.setRole(RoleShuttingDown)
			return ErrLeadershipLost
		}
		// The controller failed while leading: release the Lease so that a healthy replica
		// takes over at once, and exit.
		h.setRole(RoleShuttingDown)
		_ = waitElector(clk.After(cfg.ShutdownTimeout))
		return fmt.Errorf("the controller stopped unexpectedly: %v", r.err)

	case <-electorDone:
		// The elector only returns on its own when the renewal failed.
		h.setRole(RoleShuttingDown)
		if leading.Load() {
			select {
			case <-results:
			case <-clk.After(cfg.ShutdownTimeout):
			}
		}
		return ErrLeadershipLost
	}
}

// guardedLock can refuse the release of the Lease (an update that clears the holder), for a
// shutdown that must leave the Lease to expire because work may still be running.
type guardedLock struct {
	resourcelock.Interface
	suppressRelease atomic.Bool
}

func (l *guardedLock) Update(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
	if r.HolderIdentity == "" && l.suppressRelease.Load() {
		return errors.New("not releasing the Lease: in-flight work did not stop; it expires by itself")
	}
	return l.Interface.Update(ctx, r)
}

// registerProcessMetrics adds kmm_build_info.
func registerProcessMetrics(reg prometheus.Registerer) {
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "kmm_build_info",
		Help:        "Always 1; the labels tell the operator's version and Go version",
		ConstLabels: prometheus.Labels{"version": version.Version, "goversion": runtime.Version()},
	})
	info.Set(1)
	_ = reg.Register(info)
}
