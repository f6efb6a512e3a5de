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

package mirrortest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Security is how clients authenticate to a Cluster; each value is one of the authentication
// types a KafkaMirrorMaker resource can configure.
type Security int

// The supported kinds of cluster security.
const (
	Plaintext Security = iota // no TLS, no SASL
	SCRAM                     // SASL_PLAINTEXT with SCRAM-SHA-512
	MTLS                      // TLS with a client certificate (type: tls in the resource)
)

func (s Security) String() string {
	switch s {
	case SCRAM:
		return "scram-sha-512"
	case MTLS:
		return "mtls"
	default:
		return "plaintext"
	}
}

// ClusterConfig describes a fake cluster to start.
type ClusterConfig struct {
	Name     string   // for logs and secret names, e.g. "source"
	Security Security // default Plaintext
	Brokers  int      // default 3, like a small real cluster with partition leaders spread out
	Ports    []int    // fixed ports (one broker each); random when empty
	PKI      *PKI     // CA and certificates for MTLS; generated when nil
	User     string   // SCRAM user, default "mirror-<name>"
	Password string   // SCRAM password, default derived from the name
	// Host is the address the brokers listen on and advertise (in metadata and coordinator
	// answers), default "127.0.0.1". Set it to an address of this host that the clients can
	// reach, e.g. the node address for pods; it must be a concrete address, not a wildcard,
	// since kfake advertises the listener's own address.
	Host string
}

// Cluster is a running kfake cluster together with the credentials clients need for it.
type Cluster struct {
	*kfake.Cluster
	Name     string
	Security Security
	User     string
	Password string
	PKI      *PKI
	addrs    []string
}

// StartCluster starts a fake cluster and closes it when the test ends.
func StartCluster(t testing.TB, cfg ClusterConfig) *Cluster {
	t.Helper()
	c, err := NewCluster(cfg)
	if err != nil {
		t.Fatalf("start cluster %s: %v", cfg.Name, err)
	}
	t.Cleanup(c.Close)
	return c
}

// NewCluster starts a fake cluster; the caller closes it.
func NewCluster(cfg ClusterConfig) (*Cluster, error) {
	if cfg.Name == "" {
		cfg.Name = "cluster"
	}
	c := &Cluster{Name: cfg.Name, Security: cfg.Security, PKI: cfg.PKI}
	var opts []kfake.Opt
	if cfg.Host != "" && cfg.Host != "127.0.0.1" {
		// kfake listens on 127.0.0.1:<port> and advertises each listener's address, so moving
		// the listener moves the advertised address with it.
		host := cfg.Host
		opts = append(opts, kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, port, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			return net.Listen(network, net.JoinHostPort(host, port))
		}))
	}
	switch {
	case len(cfg.Ports) > 0:
		opts = append(opts, kfake.Ports(cfg.Ports...))
	case cfg.Brokers > 0:
		opts = append(opts, kfake.NumBrokers(cfg.Brokers))
	default:
		opts = append(opts, kfake.NumBrokers(3))
	}
	switch cfg.Security {
	case SCRAM:
		c.User, c.Password = cfg.User, cfg.Password
		if c.User == "" {
			c.User = "mirror-" + cfg.Name
		}
		if c.Password == "" {
			c.Password = "pw-" + cfg.Name + "-Xy7!q"
		}
		opts = append(opts, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", c.User, c.Password))
	case MTLS:
		if c.PKI == nil {
			p, err := NewPKI()
			if err != nil {
				return nil, err
			}
			c.PKI = p
		}
		tc, err := c.PKI.ServerTLS()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kfake.TLS(tc))
	}
	kc, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, err
	}
	c.Cluster = kc
	c.addrs = kc.ListenAddrs()
	return c, nil
}

// Addrs are the brokers' host:port addresses (all on ClusterConfig.Host, default 127.0.0.1).
func (c *Cluster) Addrs() []string { return append([]string(nil), c.addrs...) }

// Bootstrap is the bootstrap.servers value for this cluster.
func (c *Cluster) Bootstrap() string { return strings.Join(c.addrs, ",") }

// ClientOpts are the franz-go options to reach the cluster with its security.
func (c *Cluster) ClientOpts() []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(c.addrs...)}
	switch c.Security {
	case SCRAM:
		opts = append(opts, kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism()))
	case MTLS:
		tc, err := c.PKI.ClientTLS()
		if err != nil {
			panic(err) // the PKI was generated by us and parsed when the cluster started
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	return opts
}

// NewClient returns a franz-go client for the cluster, closed when the test ends.
func (c *Cluster) NewClient(t testing.TB, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append(c.ClientOpts(), extra...)...)
	if err != nil {
		t.Fatalf("client for %s: %v", c.Name, err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Admin returns an admin client for the cluster, closed when the test ends.
func (c *Cluster) Admin(t testing.TB) *kadm.Client {
	t.Helper()
	return kadm.NewClient(c.NewClient(t))
}

// CreateTopics creates the topics with the given number of partitions and waits until every
// broker's metadata has all partitions with a leader, so producers do not race the creation.
func (c *Cluster) CreateTopics(ctx context.Context, partitions int32, topics ...string) error {
	cl, err := kgo.NewClient(c.ClientOpts()...)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	resp, err := adm.CreateTopics(ctx, partitions, 1, nil, topics...)
	if err != nil {
		return fmt.Errorf("create topics %v on %s: %w", topics, c.Name, err)
	}
	for _, r := range resp.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s on %s: %w", r.Topic, c.Name, r.Err)
		}
	}
	return Poll(ctx, 20*time.Millisecond, func() (bool, string) {
		md, err := adm.Metadata(ctx, topics...)
		if err != nil {
			return false, err.Error()
		}
		for _, topic := range topics {
			td, ok := md.Topics[topic]
			if !ok || td.Err != nil || len(td.Partitions) != int(partitions) {
				return false, fmt.Sprintf("topic %s not complete in metadata", topic)
			}
			for _, p := range td.Partitions {
				if p.Leader < 0 {
					return false, fmt.Sprintf("%s/%d has no leader", topic, p.Partition)
				}
			}
		}
		return true, ""
	})
}

// MustCreateTopics is CreateTopics that fails the test on error.
func (c *Cluster) MustCreateTopics(t testing.TB, partitions int32, topics ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CreateTopics(ctx, partitions, topics...); err != nil {
		t.Fatal(err)
	}
}

// MirrorEnv writes the files a pod would have mounted for this cluster (CA certificate, user
// certificate and key, password) into home and returns the KAFKA_MIRRORMAKER_* variables the
// operator renders for the given side: bootstrap servers plus the TLS or SASL settings.
func (c *Cluster) MirrorEnv(t testing.TB, home *Home, side Side) Env {
	t.Helper()
	s := side.Suffix()
	env := Env{"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_" + s: c.Bootstrap()}
	switch c.Security {
	case SCRAM:
		// The trailing newline is part of the test: the Strimzi scripts read the password
		// with $(cat ...), which drops trailing newlines, and so must the mirror.
		env["KAFKA_MIRRORMAKER_SASL_MECHANISM_"+s] = "scram-sha-512"
		env["KAFKA_MIRRORMAKER_SASL_USERNAME_"+s] = c.User
		env["KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_"+s] = home.WritePassword(t, side, c.User, "password", []byte(c.Password+"\n"))
	case MTLS:
		env["KAFKA_MIRRORMAKER_TLS_"+s] = "true"
		env["KAFKA_MIRRORMAKER_TRUSTED_CERTS_"+s] = home.WriteCert(t, side, c.Name+"-cluster-ca-cert", "ca.crt", c.PKI.CACert)
		env["KAFKA_MIRRORMAKER_TLS_AUTH_CERT_"+s] = home.WriteCert(t, side, "mirror-user-"+c.Name, "user.crt", c.PKI.ClientCert)
		env["KAFKA_MIRRORMAKER_TLS_AUTH_KEY_"+s] = home.WriteCert(t, side, "mirror-user-"+c.Name, "user.key", c.PKI.ClientKey)
	}
	return env
}

// newPlainClient is an admin client for the cluster that the caller closes.
func newPlainClient(c *Cluster) (*kadm.Client, error) {
	cl, err := kgo.NewClient(c.ClientOpts()...)
	if err != nil {
		return nil, err
	}
	return kadm.NewClient(cl), nil
}
