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
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/version"
)

// Clients are the API clients of the operator.
type Clients struct {
	Kube     kubernetes.Interface
	KMM      versioned.Interface
	Metadata metadata.Interface
	// Election renews the Lease. It has its own connection and rate limiter so that a burst of
	// controller requests can never delay a renewal, and a request timeout so that a hung
	// connection cannot either.
	Election kubernetes.Interface
}

// configError is a problem with the configuration found after parsing (e.g. an unreadable
// kubeconfig); Main exits with code 2 for it.
type configError struct{ error }

// loadRESTConfig builds the client configuration: --kubeconfig, else KUBECONFIG, else the
// in-cluster configuration, else ~/.kube/config. It also returns the namespace the operator
// runs in (in a cluster) or the kubeconfig context's namespace, for the Lease.
func loadRESTConfig(cfg *Config) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.WarnIfAllMissing = false
	source := ""
	switch {
	case cfg.Kubeconfig != "":
		rules.ExplicitPath = cfg.Kubeconfig
		source = "--kubeconfig"
		if _, err := os.Stat(cfg.Kubeconfig); err != nil {
			return nil, "", configError{fmt.Errorf("invalid value %q for --kubeconfig: %v", cfg.Kubeconfig, err)}
		}
	case cfg.KubeconfigEnv != "":
		rules.Precedence = filepath.SplitList(cfg.KubeconfigEnv)
		source = "KUBECONFIG"
		found := false
		for _, p := range rules.Precedence {
			if _, err := os.Stat(p); err == nil {
				found = true
			}
		}
		if !found {
			return nil, "", configError{fmt.Errorf("invalid value %q for KUBECONFIG: no such file", cfg.KubeconfigEnv)}
		}
	default:
		if c, err := rest.InClusterConfig(); err == nil {
			return c, inClusterNamespace(), nil
		}
		source = "~/.kube/config"
		if _, err := os.Stat(rules.GetDefaultFilename()); err != nil {
			return nil, "", configError{errors.New("no API server configuration: not running in a cluster; give --kubeconfig or set KUBECONFIG")}
		}
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: cfg.Context})
	c, err := loader.ClientConfig()
	if err != nil {
		return nil, "", configError{fmt.Errorf("kubeconfig from %s: %v", source, err)}
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		ns = ""
	}
	return c, ns, nil
}

func inClusterNamespace() string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// defaultIdentity is "<hostname>_<random>": unique even for two processes on one machine, which
// must never share an identity (both would believe they hold the Lease).
func defaultIdentity() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "kmm-operator"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "_" + hex.EncodeToString(b)
}

// NewClients creates the clients from base, with the configured rate limits, the operator's
// user agent and request counting on m.
func NewClients(base *rest.Config, cfg *Config, m *metrics.Metrics) (*Clients, error) {
	c := rest.CopyConfig(base)
	c.QPS = cfg.QPS
	c.Burst = cfg.Burst
	c.UserAgent = "kmm-operator/" + version.Version
	// No gzip: the operator talks to the API server over the cluster network, where compressing
	// saves little, and every open watch (seven kinds per watched namespace) would keep a
	// decompressor of about 50 KiB for its whole life, plus the CPU to inflate every event.
	c.DisableCompression = true
	if m != nil {
		c.Wrap(m.WrapTransport)
	}
	kmmClient, err := versioned.NewForConfig(c)
	if err != nil {
		return nil, err
	}
	metaClient, err := metadata.NewForConfig(c)
	if err != nil {
		return nil, err
	}
	// Built-in kinds travel as protobuf: less CPU and memory than JSON. The CRD client and the
	// metadata client stay on JSON, which is what the API server serves for them.
	kc := rest.CopyConfig(c)
	kc.ContentType = "application/vnd.kubernetes.protobuf"
	kc.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	kubeClient, err := kubernetes.NewForConfig(kc)
	if err != nil {
		return nil, err
	}
	ec := rest.CopyConfig(c)
	ec.QPS, ec.Burst = 20, 40
	ec.Timeout = max(cfg.LeaderElection.RenewDeadline/2, time.Second)
	ec.UserAgent += "/leader-election"
	electionClient, err := kubernetes.NewForConfig(ec)
	if err != nil {
		return nil, err
	}
	return &Clients{Kube: kubeClient, KMM: kmmClient, Metadata: metaClient, Election: electionClient}, nil
}

// The resource the operator needs the API server to serve.
var kmmGroupVersion = kafkav1beta2.SchemeGroupVersion.String()

const kmmResource = "kafkamirrormakers"

// checkAPI verifies, within timeout, that the API server answers and serves the
// KafkaMirrorMaker CRD. Network errors and server errors are retried until the timeout;
// authentication failures and a missing CRD fail at once: waiting does not fix them.
func checkAPI(ctx context.Context, d discovery.DiscoveryInterface, host string, timeout time.Duration) error {
	logger := klog.FromContext(ctx)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var lastErr error
	attempt := 0
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		attempt++
		list, err := serverResources(ctx, d)
		switch {
		case err == nil:
			for _, r := range list.APIResources {
				if r.Name == kmmResource {
					return true, nil
				}
			}
			return false, fmt.Errorf("the API server at %s serves %s but not its %s resource: install the CRD, e.g. kubectl apply -f artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml", host, kmmGroupVersion, kmmResource)
		case apierrors.IsNotFound(err):
			return false, fmt.Errorf("the API server at %s does not serve %s %s: the KafkaMirrorMaker CRD is not installed (kubectl apply -f artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml)", host, kmmGroupVersion, kmmResource)
		case apierrors.IsUnauthorized(err):
			return false, fmt.Errorf("the API server at %s rejected the operator's credentials: %v", host, err)
		case apierrors.IsForbidden(err):
			return false, fmt.Errorf("the API server at %s forbids API discovery to the operator: %v", host, err)
		}
		lastErr = err
		if attempt == 1 || attempt%5 == 0 {
			logger.Info("Waiting for the API server", "host", host, "err", err.Error())
		}
		return false, nil
	})
	if err != nil && ctx.Err() != nil && lastErr != nil {
		return fmt.Errorf("the API server at %s is not reachable (gave up after %s, see --api-check-timeout): %v", host, timeout, lastErr)
	}
	return err
}

// serverResources runs the discovery request for the KafkaMirrorMaker group version.
func serverResources(ctx context.Context, d discovery.DiscoveryInterface) (*metav1.APIResourceList, error) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return discovery.ToDiscoveryInterfaceWithContext(d).ServerResourcesForGroupVersionWithContext(rctx, kmmGroupVersion)
}

// permission is one access the operator needs.
type permission struct {
	verb, group, resource, subresource string
	essential                          bool // nothing works without it: fail instead of warning
	// lease: checked on the configured Lease by name (the install's Role names it).
	lease bool
}

// requiredPermissions is what the operator does, for the start-up check. It must stay in step
// with the RBAC in artifacts/install.
var requiredPermissions = []permission{
	{verb: "list", group: "kafka.strimzi.io", resource: kmmResource, essential: true},
	{verb: "watch", group: "kafka.strimzi.io", resource: kmmResource, essential: true},
	{verb: "update", group: "kafka.strimzi.io", resource: kmmResource, subresource: "status"},
}

func init() {
	// The owned children: watched (label-scoped), read live, server-side applied.
	for _, r := range []struct{ group, resource string }{
		{"", "serviceaccounts"}, {"", "configmaps"}, {"apps", "deployments"}, {"policy", "poddisruptionbudgets"},
	} {
		for _, verb := range []string{"get", "list", "watch", "create", "patch"} {
			requiredPermissions = append(requiredPermissions, permission{verb: verb, group: r.group, resource: r.resource})
		}
	}
	// Referenced Secrets: watched as metadata only, read live for hashing.
	for _, verb := range []string{"get", "list", "watch"} {
		requiredPermissions = append(requiredPermissions, permission{verb: verb, resource: "secrets"})
	}
	requiredPermissions = append(requiredPermissions, permission{verb: "create", resource: "events"}, permission{verb: "patch", resource: "events"})
}

// leasePermissions are needed in the Lease's namespace when leader election is on.
var leasePermissions = []permission{
	{verb: "get", group: "coordination.k8s.io", resource: "leases", essential: true, lease: true},
	{verb: "create", group: "coordination.k8s.io", resource: "leases", essential: true},
	{verb: "update", group: "coordination.k8s.io", resource: "leases", essential: true, lease: true},
}

// checkPermissions asks the API server (SelfSubjectAccessReview, allowed to every
// authenticated user) whether the operator may do its job, so that an RBAC mistake is reported
// at start, by name, instead of as a cache that never syncs or a standby that never leads.
// A missing essential permission is an error; others are logged as warnings.
func checkPermissions(ctx context.Context, kube kubernetes.Interface, cfg *Config) error {
	logger := klog.FromContext(ctx)
	namespaces := cfg.Namespaces
	if cfg.WatchesAllNamespaces() {
		namespaces = []string{metav1.NamespaceAll}
	}
	type check struct {
		p  permission
		ns string
	}
	var checks []check
	for _, ns := range namespaces {
		for _, p := range requiredPermissions {
			checks = append(checks, check{p, ns})
		}
	}
	if cfg.LeaderElection.Enabled {
		for _, p := range leasePermissions {
			checks = append(checks, check{p, cfg.LeaderElection.LeaseNamespace})
		}
	}
	var missingEssential, missing []string
	for _, c := range checks {
		attrs := &authorizationv1.ResourceAttributes{
			Namespace: c.ns, Verb: c.p.verb, Group: c.p.group, Resource: c.p.resource, Subresource: c.p.subresource,
		}
		if c.p.lease {
			attrs.Name = cfg.LeaderElection.LeaseName
		}
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: attrs}}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := kube.AuthorizationV1().SelfSubjectAccessReviews().Create(rctx, review, metav1.CreateOptions{})
		cancel()
		if err != nil {
			// Not fatal: some clusters restrict access reviews. The informers will tell.
			logger.Info("Could not check the operator's permissions", "err", err.Error())
			return nil
		}
		if res.Status.Allowed {
			continue
		}
		what := c.p.verb + " " + c.p.resource
		if c.p.group != "" {
			what += "." + c.p.group
		}
		if c.p.subresource != "" {
			what += "/" + c.p.subresource
		}
		if attrs.Name != "" {
			what += " " + attrs.Name
		}
		if c.ns == metav1.NamespaceAll {
			what += " in all namespaces"
		} else {
			what += " in namespace " + c.ns
		}
		if c.p.essential {
			missingEssential = append(missingEssential, what)
		} else {
			missing = append(missing, what)
		}
	}
	if len(missing) > 0 {
		logger.Info("WARNING: the operator lacks permissions it needs for some resources; check its (Cluster)Role and bindings", "missing", missing)
	}
	if len(missingEssential) > 0 {
		return fmt.Errorf("the operator is not allowed to: %s (check the RBAC in artifacts/install and its bindings)", strings.Join(append(missingEssential, missing...), ", "))
	}
	return nil
}
