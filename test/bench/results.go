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

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// results are the figures of .local/bench/results.json (exactly the keys of issue 8).
type results struct {
	N                       int     `json:"n"`
	AllReadySeconds         float64 `json:"all_ready_seconds"`
	BaselineReadySeconds    float64 `json:"baseline_ready_seconds"`
	ReadyRatio              float64 `json:"ready_ratio"`
	WritesPerResourceCreate float64 `json:"writes_per_resource_create"`
	RequestsPerSteadyCycle  float64 `json:"requests_per_steady_cycle"`
	WritesAfterRestart      float64 `json:"writes_after_restart"`
	RSSMiBSteady            float64 `json:"rss_mib_steady"`
	RSSMiBPeak              float64 `json:"rss_mib_peak"`
	RSSMiBWithSecrets       float64 `json:"rss_mib_with_secrets"`
	RSSMiBEmpty             float64 `json:"rss_mib_empty"`
	KiBPerResource          float64 `json:"kib_per_resource"`
	RSSMiBStandbyWarm       float64 `json:"rss_mib_standby_warm"`
	RSSMiBStandbyCold       float64 `json:"rss_mib_standby_cold"`
	SecretRotationP50Ms     float64 `json:"secret_rotation_p50_ms"`
	SecretRotationP99Ms     float64 `json:"secret_rotation_p99_ms"`
	SpecChangeP50Ms         float64 `json:"spec_change_p50_ms"`
	SpecChangeP99Ms         float64 `json:"spec_change_p99_ms"`
	FailoverKillSeconds     float64 `json:"failover_kill_seconds"`
	FailoverGracefulSeconds float64 `json:"failover_graceful_seconds"`
	StartupSeconds          float64 `json:"startup_seconds"`
	StartupWrites           float64 `json:"startup_writes"`
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func (r *results) write(path string) error {
	c := *r
	for _, f := range []*float64{&c.AllReadySeconds, &c.BaselineReadySeconds, &c.ReadyRatio, &c.WritesPerResourceCreate,
		&c.RSSMiBSteady, &c.RSSMiBPeak, &c.RSSMiBWithSecrets, &c.SecretRotationP50Ms, &c.SecretRotationP99Ms,
		&c.SpecChangeP50Ms, &c.SpecChangeP99Ms, &c.FailoverKillSeconds, &c.FailoverGracefulSeconds, &c.StartupSeconds,
		&c.RSSMiBEmpty, &c.KiBPerResource, &c.RSSMiBStandbyWarm, &c.RSSMiBStandbyCold} {
		*f = round(*f, 3)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func (r *results) print(w io.Writer, b *bench) {
	lease := leaseDuration.Seconds()
	fmt.Fprintf(w, "\nkmm-operator benchmark: N=%d KafkaMirrorMakers (replicas 1) over %d namespaces, %d unrelated Secrets\n", r.N, namespaceCount, b.secrets)
	fmt.Fprintf(w, "operator: --full-reconciliation-interval %s; failover with --leader-election-lease-duration %s, renew-deadline %s, retry-period %s (short, for the bench)\n",
		fullInterval, leaseDuration, renewDeadline, retryPeriod)
	fmt.Fprintf(w, "local control plane: kwok simulates the Pods, no container runs\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\ttarget\t\tStrimzi (documented)")
	row := func(name, value, target string, ok bool, strimzi string) {
		v := ""
		if target != "" {
			v = verdict(ok)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, value, target, v, strimzi)
	}
	row("n", fmt.Sprint(r.N), "", true, "")
	row("all_ready_seconds", fmt.Sprintf("%.1f", r.AllReadySeconds), "", true, "")
	row("baseline_ready_seconds", fmt.Sprintf("%.1f", r.BaselineReadySeconds), "", true, "")
	row("ready_ratio", fmt.Sprintf("%.2f", r.ReadyRatio), "<= 1.2", r.ReadyRatio <= 1.2, "")
	row("writes_per_resource_create", fmt.Sprintf("%.2f", r.WritesPerResourceCreate), "<= 6", r.WritesPerResourceCreate <= 6, "")
	row("requests_per_steady_cycle", fmt.Sprintf("%.0f", r.RequestsPerSteadyCycle), "= 0", r.RequestsPerSteadyCycle == 0, "full reconciliation every 120 s")
	row("writes_after_restart", fmt.Sprintf("%.0f", r.WritesAfterRestart), "= 0", r.WritesAfterRestart == 0, "")
	row("rss_mib_steady", fmt.Sprintf("%.1f", r.RSSMiBSteady), "<= 48 at N=1000", r.RSSMiBSteady <= 48, "384Mi request/limit")
	row("rss_mib_peak", fmt.Sprintf("%.1f", r.RSSMiBPeak), "<= 64", r.RSSMiBPeak <= 64, "384Mi request/limit")
	row("rss_mib_with_secrets", fmt.Sprintf("%.1f", r.RSSMiBWithSecrets), "<= steady + 8", r.RSSMiBWithSecrets <= r.RSSMiBSteady+8, "")
	row("rss_mib_empty", fmt.Sprintf("%.1f", r.RSSMiBEmpty), "", true, "")
	row("kib_per_resource", fmt.Sprintf("%.1f", r.KiBPerResource), "<= 16", r.KiBPerResource <= 16, "")
	row("rss_mib_standby_warm", fmt.Sprintf("%.1f", r.RSSMiBStandbyWarm), "~ steady", true, "")
	row("rss_mib_standby_cold", fmt.Sprintf("%.1f", r.RSSMiBStandbyCold), "~ empty", true, "")
	row("secret_rotation_p50_ms", fmt.Sprintf("%.0f", r.SecretRotationP50Ms), "", true, "at the next full reconciliation (up to 120000)")
	row("secret_rotation_p99_ms", fmt.Sprintf("%.0f", r.SecretRotationP99Ms), "<= 1000", r.SecretRotationP99Ms <= 1000, "up to 120000")
	row("spec_change_p50_ms", fmt.Sprintf("%.0f", r.SpecChangeP50Ms), "", true, "")
	row("spec_change_p99_ms", fmt.Sprintf("%.0f", r.SpecChangeP99Ms), "<= 500", r.SpecChangeP99Ms <= 500, "")
	row("failover_kill_seconds", fmt.Sprintf("%.2f", r.FailoverKillSeconds), fmt.Sprintf("<= lease %.0f s + 3", lease), r.FailoverKillSeconds <= lease+3, "")
	row("failover_graceful_seconds", fmt.Sprintf("%.2f", r.FailoverGracefulSeconds), "<= 3", r.FailoverGracefulSeconds <= 3, "")
	row("startup_seconds", fmt.Sprintf("%.2f", r.StartupSeconds), "", true, "")
	row("startup_writes", fmt.Sprintf("%.0f", r.StartupWrites), "= 0", r.StartupWrites == 0, "")
	tw.Flush()
	fmt.Fprintf(w, "\n(Strimzi's operation timeout is 300 s; this operator's default is the same.)\n")
	table := func(title string, m map[string]float64) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s=%.0f", k, m[k]))
		}
		if len(parts) == 0 {
			parts = []string{"none"}
		}
		fmt.Fprintf(w, "%s: %s\n", title, strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, "\nrequests by verb and resource (kmm_client_requests_total):")
	table("  while creating N", b.createRequests)
	table(fmt.Sprintf("  one steady %s cycle (%.0f reconciliations)", fullInterval, b.reconcilesPerCycle), b.steadyRequests)
	table("  restart, first pass", b.startupRequests)
	table("  restart, through one periodic pass", b.restartRequests)
	for _, n := range b.notes {
		fmt.Fprintln(w, "note:", n)
	}
}
