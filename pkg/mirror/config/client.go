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
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kgo's bounds (pkg/kgo/config.go validate) for values Java accepts more widely.
const (
	minRequestOverhead = 100 * time.Millisecond
	maxRequestOverhead = 15 * time.Minute
	minConnIdle        = 100 * time.Millisecond
	maxConnIdle        = 15 * time.Minute
	minMetadataAge     = 10 * time.Millisecond
	maxMetadataAge     = time.Hour
	kgoMetadataMinAge  = 5 * time.Second
)

// clamp bounds d to [lo, hi] and says so in a notice when it had to.
func clamp(p *props, n *notices, key string, d, lo, hi time.Duration) time.Duration {
	switch {
	case d < lo:
		n.warn(p.name(key), "%s is below what kgo allows; using %s", d, lo)
		return lo
	case d > hi:
		n.warn(p.name(key), "%s is above what kgo allows; using %s", d, hi)
		return hi
	}
	return d
}

// mapClientCommon maps the keys both Java clients share to kgo options, with Java's defaults
// where kgo's differ (mirrormaker1-dataplane.md §9.1, §7.3):
//
//   - connections.max.idle.ms (default 540000) → ConnIdleTimeout 9 min instead of kgo's 30 s, so
//     that idle connections stay open like Java's, which the readiness check relies on; -1 (never
//     close) becomes kgo's maximum of 15 min;
//   - request.timeout.ms (default 30000) → RequestTimeoutOverhead, the time kgo grants a broker
//     to answer on top of a request's own timeout;
//   - metadata.max.age.ms (default 300000) → MetadataMaxAge, lowering kgo's 5 s MetadataMinAge if
//     needed.
func mapClientCommon(p *props, n *notices) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	idle, _, err := p.millis("connections.max.idle.ms", 540000, -1, 64)
	if err != nil {
		return nil, err
	}
	if idle < 0 {
		idle = maxConnIdle
	}
	opts = append(opts, kgo.ConnIdleTimeout(clamp(p, n, "connections.max.idle.ms", idle, minConnIdle, maxConnIdle)))

	reqTimeout, _, err := p.millis("request.timeout.ms", 30000, 0, 32)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.RequestTimeoutOverhead(clamp(p, n, "request.timeout.ms", reqTimeout, minRequestOverhead, maxRequestOverhead)))

	age, _, err := p.millis("metadata.max.age.ms", 300000, 0, 64)
	if err != nil {
		return nil, err
	}
	age = clamp(p, n, "metadata.max.age.ms", age, minMetadataAge, maxMetadataAge)
	opts = append(opts, kgo.MetadataMaxAge(age))
	if age < kgoMetadataMinAge {
		opts = append(opts, kgo.MetadataMinAge(age))
	}
	return opts, nil
}
