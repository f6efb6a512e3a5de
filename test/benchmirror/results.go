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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// results are the figures of .local/bench/mirror-results.json, every one a number. Counts of the
// SIGKILL run are -1 when BENCH_MIRROR_KILL is off.
type results struct {
	N           int `json:"n"`
	RecordBytes int `json:"record_bytes"`
	Partitions  int `json:"partitions"`

	// 1. Throughput, from the copier's start until all N records are on the target: the best of
	// ThroughputRounds rounds, and the worst for the spread.
	ThroughputRounds         int     `json:"throughput_rounds"`
	MirrorRecordsPerSec      float64 `json:"mirror_records_per_sec"`
	MirrorMBPerSec           float64 `json:"mirror_mb_per_sec"`
	LimitRecordsPerSec       float64 `json:"limit_records_per_sec"`
	LimitMBPerSec            float64 `json:"limit_mb_per_sec"`
	ThroughputRatio          float64 `json:"throughput_ratio"`
	MirrorRecordsPerSecWorst float64 `json:"mirror_records_per_sec_worst"`
	LimitRecordsPerSecWorst  float64 `json:"limit_records_per_sec_worst"`
	MirrorSeconds            float64 `json:"mirror_seconds"`
	LimitSeconds             float64 `json:"limit_seconds"`
	MirrorReadySeconds       float64 `json:"mirror_ready_seconds"`
	MirrorFirstRecordSeconds float64 `json:"mirror_first_record_seconds"`
	LimitFirstRecordSeconds  float64 `json:"limit_first_record_seconds"`
	MirrorTargetRecords      int64   `json:"mirror_target_records"`
	PreloadRecordsPerSec     float64 `json:"preload_records_per_sec"`
	// CPU time (user and system) of the copier's process per round (mean), start-up included:
	// what copying N records costs, whatever speed the CPUs it shares with kfake let it reach.
	MirrorCPUSeconds float64 `json:"mirror_cpu_seconds"`
	LimitCPUSeconds  float64 `json:"limit_cpu_seconds"`

	// 2. Memory of kmm-mirror during the throughput rounds (peak: the highest VmHWM; median: of
	// the VmRSS samples of all rounds).
	RSSMiBPeak         float64 `json:"rss_mib_peak"`
	RSSMiBMedian       float64 `json:"rss_mib_median"`
	RSSMiBPeakSampled  float64 `json:"rss_mib_peak_sampled"`
	RSSSamples         int     `json:"rss_samples"`
	RSSMiBAfterLatency float64 `json:"rss_mib_after_latency"`
	LimitRSSMiBPeak    float64 `json:"limit_rss_mib_peak"`

	// 3. End-to-end latency at a fixed rate.
	LatencyP50Ms      float64 `json:"latency_p50_ms"`
	LatencyP99Ms      float64 `json:"latency_p99_ms"`
	LatencyMaxMs      float64 `json:"latency_max_ms"`
	LatencyRatePerSec int     `json:"latency_rate_per_sec"`
	LatencyRecords    int     `json:"latency_records"`

	// 4. SIGTERM, then SIGKILL and restart, at the default commit interval.
	DuplicatesAfterKill     int64   `json:"duplicates_after_kill"`
	KillRecordsTotal        int64   `json:"kill_records_total"`
	KillLostRecords         int64   `json:"kill_lost_records"`
	KillCopiedBeforeKill    int64   `json:"kill_copied_before_kill"`
	KillRatePerSec          int     `json:"kill_rate_per_sec"`
	KillAfterSeconds        float64 `json:"kill_after_seconds"`
	KillCommitIntervalMs    int     `json:"kill_commit_interval_ms"`
	KillRestartReadySeconds float64 `json:"kill_restart_ready_seconds"`
	KillRecoverySeconds     float64 `json:"kill_recovery_seconds"`
	DuplicatesAfterSigterm  int64   `json:"duplicates_after_sigterm"`
	SigtermExitSeconds      float64 `json:"sigterm_exit_seconds"`

	// The machine, shared by kfake, the load generator and the copier.
	Nproc      int     `json:"nproc"`
	Load1Start float64 `json:"load1_start"`
	Load1End   float64 `json:"load1_end"`
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func (r *results) write(path string) error {
	c := *r
	for _, f := range []*float64{&c.MirrorRecordsPerSec, &c.LimitRecordsPerSec, &c.MirrorRecordsPerSecWorst, &c.LimitRecordsPerSecWorst, &c.PreloadRecordsPerSec} {
		*f = math.Round(*f)
	}
	for _, f := range []*float64{&c.MirrorMBPerSec, &c.LimitMBPerSec, &c.ThroughputRatio, &c.MirrorSeconds, &c.LimitSeconds,
		&c.MirrorReadySeconds, &c.MirrorFirstRecordSeconds, &c.MirrorCPUSeconds, &c.LimitCPUSeconds, &c.LimitFirstRecordSeconds, &c.RSSMiBPeak, &c.RSSMiBMedian,
		&c.RSSMiBPeakSampled, &c.RSSMiBAfterLatency, &c.LimitRSSMiBPeak, &c.LatencyP50Ms, &c.LatencyP99Ms, &c.LatencyMaxMs,
		&c.KillAfterSeconds, &c.KillRestartReadySeconds, &c.KillRecoverySeconds, &c.SigtermExitSeconds, &c.Load1Start, &c.Load1End} {
		*f = round(*f, 3)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func median(v []float64) float64 { return percentile(v, 50) }

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage is the 1-minute load average: the machine is shared, so a busy neighbour shows.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func (r *results) print(w io.Writer, b *bench) {
	fmt.Fprintf(w, "\nkmm-mirror benchmark: N=%d records of %d bytes (no key) over %d partitions, source and target kfake clusters of %d brokers\n",
		r.N, r.RecordBytes, r.Partitions, brokers)
	fmt.Fprintf(w, "machine: %d CPUs (%s), GOMAXPROCS %d, %s; load average %.2f at the start, %.2f at the end\n",
		r.Nproc, cpuModel(), runtime.GOMAXPROCS(0), runtime.Version(), r.Load1Start, r.Load1End)
	fmt.Fprintf(w, "caveat: both kfake clusters and the load generator run in the benchmark process, on the same CPUs as the copier under test\n")
	fmt.Fprintf(w, "mirror: KAFKA_MIRRORMAKER_NUMSTREAMS=1, consumer config %q, producer config empty, commit interval default (%d ms),\n"+
		"  STRIMZI_READINESS_PERIOD=1 (the ready file is checked every 0.5 s)\n", b.consumerConfig(), defaultCommitIntervalMs)
	fmt.Fprintf(w, "limit: a bare franz-go consume-and-produce loop in its own process, kgo defaults, linger 0, no compression\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\ttarget\t\tnote")
	row := func(name, value, target string, ok bool, note string) {
		v := ""
		if target != "" {
			v = verdict(ok)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, value, target, v, note)
	}
	row("mirror_records_per_sec", fmt.Sprintf("%.0f", r.MirrorRecordsPerSec), "", true, fmt.Sprintf("best of %d rounds: %d records in %.2f s from the start (ready after %.2f s); worst round %.0f", r.ThroughputRounds, r.N, r.MirrorSeconds, r.MirrorReadySeconds, r.MirrorRecordsPerSecWorst))
	row("mirror_mb_per_sec", fmt.Sprintf("%.1f", r.MirrorMBPerSec), "", true, "values, 10^6 bytes")
	row("limit_records_per_sec", fmt.Sprintf("%.0f", r.LimitRecordsPerSec), "", true, fmt.Sprintf("best of %d rounds: %d records in %.2f s from the start; worst round %.0f", r.ThroughputRounds, r.N, r.LimitSeconds, r.LimitRecordsPerSecWorst))
	row("limit_mb_per_sec", fmt.Sprintf("%.1f", r.LimitMBPerSec), "", true, "")
	row("mirror_cpu_seconds", fmt.Sprintf("%.2f", r.MirrorCPUSeconds), "", true, fmt.Sprintf("CPU time of the mirror per round (mean); the limit's: %.2f (limit_cpu_seconds)", r.LimitCPUSeconds))
	row("throughput_ratio", fmt.Sprintf("%.2f", r.ThroughputRatio), ">= 0.8", r.ThroughputRatio >= 0.8, "mirror / limit")
	row("mirror_target_records", fmt.Sprint(r.MirrorTargetRecords), fmt.Sprintf("= %d", r.N), r.MirrorTargetRecords == int64(r.N), "most records a round wrote: no duplicates in a clean run")
	row("rss_mib_peak", fmt.Sprintf("%.1f", r.RSSMiBPeak), "<= 40", r.RSSMiBPeak <= 40, fmt.Sprintf("VmHWM; highest of %d samples %.1f", r.RSSSamples, r.RSSMiBPeakSampled))
	row("rss_mib_median", fmt.Sprintf("%.1f", r.RSSMiBMedian), "<= 40", r.RSSMiBMedian <= 40, fmt.Sprintf("VmRSS every 100 ms over all rounds; %.1f after the latency run", r.RSSMiBAfterLatency))
	row("limit_rss_mib_peak", fmt.Sprintf("%.1f", r.LimitRSSMiBPeak), "", true, "the limit loop, for comparison")
	row("latency_p50_ms", fmt.Sprintf("%.1f", r.LatencyP50Ms), "", true, fmt.Sprintf("%d records at %d records/s, source producer to target fetch", r.LatencyRecords, r.LatencyRatePerSec))
	row("latency_p99_ms", fmt.Sprintf("%.1f", r.LatencyP99Ms), "", true, fmt.Sprintf("max %.1f", r.LatencyMaxMs))
	if r.KillRecordsTotal >= 0 {
		row("duplicates_after_kill", fmt.Sprint(r.DuplicatesAfterKill), "", true,
			fmt.Sprintf("SIGKILL %.0f s into a %d records/s stream; the killed mirror had copied %d; MirrorMaker 1: up to one commit interval (%d ms) of records",
				r.KillAfterSeconds, r.KillRatePerSec, r.KillCopiedBeforeKill, defaultCommitIntervalMs))
		row("kill_records_total", fmt.Sprint(r.KillRecordsTotal), "", true, "records the stream produced")
		row("kill_lost_records", fmt.Sprint(r.KillLostRecords), "= 0", r.KillLostRecords == 0, "at-least-once")
		row("kill_restart_ready_seconds", fmt.Sprintf("%.2f", r.KillRestartReadySeconds), "", true, "the killed member's session must time out first")
		row("kill_recovery_seconds", fmt.Sprintf("%.2f", r.KillRecoverySeconds), "", true, "from the restart until everything produced before it is on the target")
		row("duplicates_after_sigterm", fmt.Sprint(r.DuplicatesAfterSigterm), "= 0", r.DuplicatesAfterSigterm == 0, fmt.Sprintf("records copied again after a SIGTERM restart (exit took %.2f s)", r.SigtermExitSeconds))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nThroughput is timed from the copier's process start (connecting, and for the mirror joining its group, included) until the\n"+
		"target's high watermarks add up to N; kfake ingested the pre-load at %.0f records/s.\n", r.PreloadRecordsPerSec)
	for _, n := range b.notes {
		fmt.Fprintln(w, "note:", n)
	}
}
