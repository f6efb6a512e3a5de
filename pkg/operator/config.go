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
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kmm-operator/kmm-operator/pkg/controller"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// Defaults of the run command. The Strimzi-compatible ones are Strimzi 0.45's defaults.
const (
	DefaultQPS                        = 100
	DefaultBurst                      = 200
	DefaultAPICheckTimeout            = 30 * time.Second
	DefaultFullReconciliationInterval = controller.DefaultFullReconciliationInterval
	DefaultOperationTimeout           = controller.DefaultOperationTimeout
	DefaultWorkers                    = controller.DefaultWorkers
	DefaultFieldManager               = controller.DefaultFieldManager
	DefaultLeaseName                  = "kmm-operator"
	DefaultLeaseDuration              = 15 * time.Second
	DefaultRenewDeadline              = 10 * time.Second
	DefaultRetryPeriod                = 2 * time.Second
	DefaultHTTPAddress                = ":8080"
	DefaultShutdownTimeout            = 10 * time.Second
	// AllNamespaces is the STRIMZI_NAMESPACE value that watches every namespace.
	AllNamespaces = "*"
)

// Config is the complete configuration of the run command.
type Config struct {
	// Kubeconfig is the kubeconfig path from --kubeconfig; empty means KUBECONFIG, then the
	// in-cluster configuration, then ~/.kube/config.
	Kubeconfig string
	// KubeconfigEnv is the raw KUBECONFIG value (a path list), used when Kubeconfig is empty.
	KubeconfigEnv string
	// Context is the kubeconfig context to use; empty means the current context.
	Context string
	// QPS and Burst of the client-side rate limiter (QPS -1 disables it).
	QPS   float32
	Burst int
	// APICheckTimeout bounds the start-up check that the API server is reachable and serves
	// kafka.strimzi.io/v1beta2 kafkamirrormakers.
	APICheckTimeout time.Duration

	// Namespaces to watch; nil means all namespaces (STRIMZI_NAMESPACE=*).
	Namespaces []string
	// Selector restricts the KafkaMirrorMakers the operator manages (Everything when unset).
	Selector labels.Selector
	// FullReconciliationInterval is the period of the full reconciliation of every resource.
	FullReconciliationInterval time.Duration
	// OperationTimeout is how long a rollout may take before the resource is NotReady.
	OperationTimeout time.Duration
	// Workers is the number of concurrent reconciliations.
	Workers int
	// FieldManager is the server-side apply field manager of every write.
	FieldManager string
	// DeprecationWarning adds Strimzi's MirrorMaker1Deprecation Warning condition to the status.
	DeprecationWarning bool
	// Settings are the model's rendering inputs (images, pull policy, labels, ...).
	Settings model.Settings

	LeaderElection LeaderElectionConfig

	// HTTPAddress is the listen address of /healthz, /readyz and /metrics.
	HTTPAddress string
	// EnablePprof serves net/http/pprof under /debug/pprof/ on the same address.
	EnablePprof bool
	// ShutdownTimeout bounds the graceful shutdown after SIGTERM/SIGINT.
	ShutdownTimeout time.Duration

	// LogFormat is "text" (klog) or "json".
	LogFormat string
	// Verbosity is the klog -v level.
	Verbosity int
}

// LeaderElectionConfig configures leader election with a coordination.k8s.io Lease.
type LeaderElectionConfig struct {
	Enabled bool
	// LeaseName and LeaseNamespace name the Lease; an empty namespace means the operator's own
	// namespace (in a cluster) or the kubeconfig context's namespace.
	LeaseName      string
	LeaseNamespace string
	// Identity of this replica in the Lease; empty means "<hostname>_<random>".
	Identity      string
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
	// WarmStandby fills the caches while waiting for the Lease, so that a take-over does not
	// wait for the lists; it costs a standby the leader's memory and watches.
	WarmStandby bool
}

// WatchesAllNamespaces reports whether the operator watches every namespace.
func (c *Config) WatchesAllNamespaces() bool { return len(c.Namespaces) == 0 }

// defaultConfig returns the configuration with every default applied.
func defaultConfig() Config {
	return Config{
		QPS:                        DefaultQPS,
		Burst:                      DefaultBurst,
		APICheckTimeout:            DefaultAPICheckTimeout,
		Selector:                   labels.Everything(),
		FullReconciliationInterval: DefaultFullReconciliationInterval,
		OperationTimeout:           DefaultOperationTimeout,
		Workers:                    DefaultWorkers,
		FieldManager:               DefaultFieldManager,
		DeprecationWarning:         true,
		Settings:                   model.DefaultSettings(),
		LeaderElection: LeaderElectionConfig{
			LeaseName:     DefaultLeaseName,
			LeaseDuration: DefaultLeaseDuration,
			RenewDeadline: DefaultRenewDeadline,
			RetryPeriod:   DefaultRetryPeriod,
			WarmStandby:   true,
		},
		HTTPAddress:     DefaultHTTPAddress,
		ShutdownTimeout: DefaultShutdownTimeout,
		LogFormat:       "text",
	}
}

// option is one setting: a flag, the environment variable that is its fallback, and the
// parser that stores a value into the Config.
type option struct {
	flag  string
	env   string
	group string
	usage string
	def   string // default shown in the usage; "" for none
	bool  bool   // a boolean flag: --flag alone means true
	// set parses v into c; errors describe the value, the caller names the flag or variable.
	set func(c *Config, v string) error
	// setting marks a rendering setting (model.SettingFlags): parsed by
	// model.SettingFlagValues, not by set.
	setting bool
}

// Option groups, in usage order.
const (
	groupConnection = "Connection to the API server"
	groupScope      = "What is managed"
	groupRendering  = "Rendering of the MirrorMaker objects (Strimzi's variables; see also HTTP_PROXY, HTTPS_PROXY, NO_PROXY, FIPS_MODE)"
	groupElection   = "Leader election"
	groupProcess    = "Process"
)

// options lists every flag of the run command; the rendering settings come from
// model.SettingFlags, which the render command offers too.
func options() []option {
	var opts []option
	for _, o := range runOptions() {
		if o.group == groupElection && (len(opts) == 0 || opts[len(opts)-1].group != groupElection) {
			for _, f := range model.SettingFlags() {
				opts = append(opts, option{flag: f.Flag, env: f.Env, group: groupRendering, usage: f.Usage, def: f.Default, bool: f.Bool, setting: true})
			}
		}
		opts = append(opts, o)
	}
	return opts
}

func runOptions() []option {
	return []option{
		// Connection.
		{flag: "kubeconfig", env: "KUBECONFIG", group: groupConnection,
			usage: "kubeconfig file for out-of-cluster runs (KUBECONFIG may be a path list); default: in-cluster configuration, then ~/.kube/config",
			set:   func(c *Config, v string) error { c.Kubeconfig = v; return nil }},
		{flag: "context", env: "KMM_KUBECONFIG_CONTEXT", group: groupConnection,
			usage: "kubeconfig context to use; default: the current context",
			set:   func(c *Config, v string) error { c.Context = v; return nil }},
		{flag: "kube-api-qps", env: "KMM_KUBE_API_QPS", group: groupConnection, def: strconv.Itoa(DefaultQPS),
			usage: "sustained requests per second to the API server (client-side limit; -1 disables it)",
			set: func(c *Config, v string) error {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 32)
				if err != nil || !(f > 0 || f == -1) {
					return errors.New("must be a number greater than 0, or -1 for no client-side limit")
				}
				c.QPS = float32(f)
				return nil
			}},
		{flag: "kube-api-burst", env: "KMM_KUBE_API_BURST", group: groupConnection, def: strconv.Itoa(DefaultBurst),
			usage: "requests allowed in a burst above --kube-api-qps",
			set:   func(c *Config, v string) error { return parsePositiveInt(v, &c.Burst) }},
		{flag: "api-check-timeout", env: "KMM_API_CHECK_TIMEOUT", group: groupConnection, def: DefaultAPICheckTimeout.String(),
			usage: "how long the start-up check may wait for the API server and the KafkaMirrorMaker CRD before the process exits with an error",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.APICheckTimeout) }},

		// Scope.
		{flag: "watch-namespaces", env: "STRIMZI_NAMESPACE", group: groupScope, def: AllNamespaces,
			usage: "namespaces whose KafkaMirrorMakers are managed: one, a comma-separated list, or * for all",
			set:   setNamespaces},
		{flag: "custom-resource-selector", env: "STRIMZI_CUSTOM_RESOURCE_SELECTOR", group: groupScope,
			usage: "label selector (e.g. env=prod,team=a): only KafkaMirrorMakers with these labels are managed",
			set: func(c *Config, v string) error {
				s, err := labels.Parse(strings.TrimSpace(v))
				if err != nil {
					return fmt.Errorf("not a valid label selector: %v", err)
				}
				c.Selector = s
				return nil
			}},
		{flag: "full-reconciliation-interval", env: "STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", group: groupScope, def: "120000 (2m)",
			usage: "period of the full reconciliation of every resource, in milliseconds or as a duration (2m)",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.FullReconciliationInterval) }},
		{flag: "operation-timeout", env: "STRIMZI_OPERATION_TIMEOUT_MS", group: groupScope, def: "300000 (5m)",
			usage: "how long a rollout may take before the resource becomes NotReady (TimeoutException), in milliseconds or as a duration",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.OperationTimeout) }},
		{flag: "workers", env: "KMM_WORKERS", group: groupScope, def: strconv.Itoa(DefaultWorkers),
			usage: "resources reconciled concurrently",
			set:   func(c *Config, v string) error { return parsePositiveInt(v, &c.Workers) }},
		{flag: "field-manager", env: "KMM_FIELD_MANAGER", group: groupScope, def: DefaultFieldManager,
			usage: "server-side apply field manager of the operator's writes",
			set: func(c *Config, v string) error {
				v = strings.TrimSpace(v)
				if v == "" || len(v) > 128 {
					return errors.New("must be 1 to 128 characters")
				}
				c.FieldManager = v
				return nil
			}},
		{flag: "deprecation-warning", env: "KMM_DEPRECATION_WARNING", group: groupScope, def: "true", bool: true,
			usage: "add Strimzi's MirrorMaker1Deprecation Warning condition to every status, as Strimzi 0.45 does",
			set:   func(c *Config, v string) error { return parseBool(v, &c.DeprecationWarning) }},

		// Leader election.
		{flag: "leader-elect", env: "STRIMZI_LEADER_ELECTION_ENABLED", group: groupElection, def: "false", bool: true,
			usage: "run several replicas with a coordination.k8s.io Lease; only the leader reconciles",
			set:   func(c *Config, v string) error { return parseBool(v, &c.LeaderElection.Enabled) }},
		{flag: "leader-election-lease-name", env: "STRIMZI_LEADER_ELECTION_LEASE_NAME", group: groupElection, def: DefaultLeaseName,
			usage: "name of the Lease",
			set: func(c *Config, v string) error {
				return parseDNSSubdomain(v, &c.LeaderElection.LeaseName)
			}},
		{flag: "leader-election-lease-namespace", env: "STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE", group: groupElection,
			usage: "namespace of the Lease; default: the operator's namespace in a cluster, else the kubeconfig context's namespace",
			set: func(c *Config, v string) error {
				v = strings.TrimSpace(v)
				if errs := validation.IsDNS1123Label(v); len(errs) > 0 {
					return fmt.Errorf("not a valid namespace name: %s", strings.Join(errs, "; "))
				}
				c.LeaderElection.LeaseNamespace = v
				return nil
			}},
		{flag: "leader-election-identity", env: "STRIMZI_LEADER_ELECTION_IDENTITY", group: groupElection,
			usage: "identity of this replica in the Lease (the install manifests use the Pod name); default: <hostname>_<random>",
			set: func(c *Config, v string) error {
				v = strings.TrimSpace(v)
				if v == "" {
					return errors.New("must not be empty")
				}
				c.LeaderElection.Identity = v
				return nil
			}},
		{flag: "leader-election-lease-duration", env: "STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS", group: groupElection, def: "15000 (15s)",
			usage: "how long standbys wait after the last renewal before taking over, in milliseconds or as a duration",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.LeaderElection.LeaseDuration) }},
		{flag: "leader-election-renew-deadline", env: "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS", group: groupElection, def: "10000 (10s)",
			usage: "how long the leader retries renewing before it gives up leadership and exits, in milliseconds or as a duration",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.LeaderElection.RenewDeadline) }},
		{flag: "leader-election-retry-period", env: "STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS", group: groupElection, def: "2000 (2s)",
			usage: "interval between attempts to acquire or renew the Lease, in milliseconds or as a duration",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.LeaderElection.RetryPeriod) }},
		{flag: "leader-election-warm-standby", env: "KMM_LEADER_ELECTION_WARM_STANDBY", group: groupElection, def: "true", bool: true,
			usage: "standbys watch and cache everything while waiting for the Lease, so a take-over starts reconciling at once (false: a standby uses little memory and no watches, and fills its caches after it wins)",
			set:   func(c *Config, v string) error { return parseBool(v, &c.LeaderElection.WarmStandby) }},

		// Process.
		{flag: "http-address", env: "KMM_HTTP_ADDRESS", group: groupProcess, def: DefaultHTTPAddress,
			usage: "listen address of /healthz, /readyz and /metrics (and /debug/pprof/ with --enable-pprof)",
			set: func(c *Config, v string) error {
				v = strings.TrimSpace(v)
				_, port, err := net.SplitHostPort(v)
				if err != nil {
					return errors.New("must be host:port or :port")
				}
				if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
					return errors.New("the port must be a number from 0 to 65535")
				}
				c.HTTPAddress = v
				return nil
			}},
		{flag: "enable-pprof", env: "KMM_ENABLE_PPROF", group: groupProcess, def: "false", bool: true,
			usage: "serve Go's pprof profiles under /debug/pprof/ on --http-address (do not expose it publicly)",
			set:   func(c *Config, v string) error { return parseBool(v, &c.EnablePprof) }},
		{flag: "shutdown-timeout", env: "KMM_SHUTDOWN_TIMEOUT", group: groupProcess, def: DefaultShutdownTimeout.String(),
			usage: "how long in-flight reconciliations may take to finish after SIGTERM before the process exits anyway",
			set:   func(c *Config, v string) error { return parseDuration(v, &c.ShutdownTimeout) }},
		{flag: "log-format", env: "KMM_LOG_FORMAT", group: groupProcess, def: "text",
			usage: "log format: text (klog) or json",
			set: func(c *Config, v string) error {
				switch v = strings.ToLower(strings.TrimSpace(v)); v {
				case "text", "json":
					c.LogFormat = v
					return nil
				}
				return errors.New("must be text or json")
			}},
		{flag: "v", env: "KMM_LOG_VERBOSITY", group: groupProcess, def: "0",
			usage: "log verbosity: 0 (changes and errors), 2 (every reconciliation), 4 (every step), 6 and more (client-go debugging)",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 0 || n > 10 {
					return errors.New("must be a number from 0 to 10")
				}
				c.Verbosity = n
				return nil
			}},
	}
}

// ParseConfig parses the run command's arguments, falling back to the environment (through
// lookupEnv) for every flag that is not given. It returns flag.ErrHelp for -h/--help. Errors
// name the flag or the variable and the bad value.
func ParseConfig(args []string, lookupEnv func(string) (string, bool)) (Config, error) {
	cfg := defaultConfig()
	opts := options()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	settingFlags := model.SettingFlagValues{} // flags of the rendering settings
	settingFlags.Register(fs)
	for i := range opts {
		o := opts[i]
		if o.setting {
			continue // registered above
		}
		set := func(v string) error { return o.set(&cfg, v) }
		if o.bool {
			fs.BoolFunc(o.flag, o.usage, set)
		} else {
			fs.Func(o.flag, o.usage, set)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, fmt.Errorf("%v", strings.Replace(err.Error(), "flag -", "--", 1))
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: the run command takes flags only", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	// Environment fallbacks.
	for _, o := range opts {
		if given[o.flag] || o.setting {
			continue
		}
		v, ok := lookupEnv(o.env)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if o.flag == "kubeconfig" {
			cfg.KubeconfigEnv = v
			continue
		}
		if err := o.set(&cfg, v); err != nil {
			return Config{}, fmt.Errorf("invalid value %q for %s: %v", v, o.env, err)
		}
	}

	// Rendering settings: flags override the variables; errors name whichever was used.
	settings, err := settingFlags.Settings(lookupEnv)
	if err != nil {
		return Config{}, err
	}
	cfg.Settings = settings

	if err := cfg.validate(given); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// validate checks the rules that involve more than one setting.
func (c *Config) validate(given map[string]bool) error {
	name := func(flagName, env string) string {
		if given[flagName] {
			return "--" + flagName
		}
		return env
	}
	le := c.LeaderElection
	if le.LeaseDuration <= le.RenewDeadline {
		return fmt.Errorf("the leader election lease duration (%s, %s) must be greater than the renew deadline (%s, %s)",
			le.LeaseDuration, name("leader-election-lease-duration", "STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS"),
			le.RenewDeadline, name("leader-election-renew-deadline", "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS"))
	}
	if float64(le.RenewDeadline) <= 1.2*float64(le.RetryPeriod) {
		return fmt.Errorf("the leader election renew deadline (%s, %s) must be greater than 1.2 times the retry period (%s, %s)",
			le.RenewDeadline, name("leader-election-renew-deadline", "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS"),
			le.RetryPeriod, name("leader-election-retry-period", "STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS"))
	}
	if le.LeaseDuration < time.Second {
		return fmt.Errorf("the leader election lease duration (%s, %s) must be at least 1s: the Lease stores whole seconds",
			le.LeaseDuration, name("leader-election-lease-duration", "STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS"))
	}
	return nil
}

func setNamespaces(c *Config, v string) error {
	seen := map[string]bool{}
	var list []string
	all := false
	for _, ns := range strings.Split(v, ",") {
		ns = strings.TrimSpace(ns)
		switch {
		case ns == "":
			return errors.New("empty namespace name in the list")
		case ns == AllNamespaces:
			all = true
		default:
			if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
				return fmt.Errorf("%q is not a valid namespace name: %s", ns, strings.Join(errs, "; "))
			}
			if !seen[ns] {
				seen[ns] = true
				list = append(list, ns)
			}
		}
	}
	if all && len(list) > 0 {
		return errors.New("* (all namespaces) cannot be combined with namespace names")
	}
	sort.Strings(list)
	c.Namespaces = list // nil for *
	return nil
}

// parseDuration accepts a whole number of milliseconds (Strimzi's *_MS format) or a Go duration
// such as 90s or 2m; the result must be positive.
func parseDuration(v string, out *time.Duration) error {
	v = strings.TrimSpace(v)
	var d time.Duration
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		if ms > int64(24*time.Hour/time.Millisecond)*365 {
			return errors.New("too large")
		}
		d = time.Duration(ms) * time.Millisecond
	} else {
		d, err = time.ParseDuration(v)
		if err != nil {
			return errors.New("must be a number of milliseconds or a duration such as 30s or 2m")
		}
	}
	if d <= 0 {
		return errors.New("must be greater than zero")
	}
	*out = d
	return nil
}

func parsePositiveInt(v string, out *int) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return errors.New("must be a whole number greater than 0")
	}
	*out = n
	return nil
}

func parseBool(v string, out *bool) error {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return errors.New("must be true or false")
	}
	*out = b
	return nil
}

func parseDNSSubdomain(v string, out *string) error {
	v = strings.TrimSpace(v)
	if errs := validation.IsDNS1123Subdomain(v); len(errs) > 0 {
		return fmt.Errorf("not a valid name: %s", strings.Join(errs, "; "))
	}
	*out = v
	return nil
}

// PrintUsage writes the run command's help: every flag with its variable and default.
func PrintUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: kmm-operator [run] [flags]

Runs the operator: it manages the KafkaMirrorMaker resources (kafka.strimzi.io/v1beta2) of the
watched namespaces, out of a cluster with a kubeconfig or in a cluster with its ServiceAccount.
Every flag has an environment variable fallback (a flag wins over its variable); where Strimzi's
cluster operator has a variable for the same setting, that name is used. Durations are whole
milliseconds (Strimzi's *_MS format) or Go durations (30s, 2m).

Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), 1 on a runtime failure (API server
unreachable, CRD missing, leadership lost, ...), 2 on an invalid flag or variable.
`)
	group := ""
	for _, o := range options() {
		if o.group != group {
			group = o.group
			fmt.Fprintf(w, "\n%s:\n", group)
		}
		arg := " value"
		if o.bool {
			arg = "[=bool]"
		}
		fmt.Fprintf(w, "  --%s%s   (env %s)\n", o.flag, arg, o.env)
		fmt.Fprintf(w, "      %s", o.usage)
		if o.def != "" {
			fmt.Fprintf(w, " (default %s)", o.def)
		}
		fmt.Fprintln(w)
	}
}
