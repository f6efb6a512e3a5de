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

package check

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/tsdb/chunks"
)

const (
	// The scrapes are replayed over an hour, one sample every 15 s, so that range selectors
	// of up to an hour (rate(...[5m]), changes(...[30m]), increase(...[$__range])) see data.
	replaySpan     = time.Hour
	replayInterval = 15 * time.Second
)

// sample is one scraped series with its final value.
type sample struct {
	lset labels.Labels
	v    float64
	// counter: replayed growing from half its value to its value (zero stays zero), so that
	// rates are positive where the process counted something and resets never appear.
	counter bool
}

// loadScrapes parses every scrape file, adds the target labels and a synthetic up series (as a
// Prometheus scrape does), and stores the series in memory at regular timestamps ending at
// evalTime.
func (c *checker) loadScrapes() error {
	if len(c.opts.Scrapes) == 0 {
		return nil
	}
	c.index = map[string]map[string]bool{}
	var all []sample
	keys := map[string]string{} // series → scrape name, to reject duplicates
	for _, s := range c.opts.Scrapes {
		samples, err := parseScrape(s)
		if err != nil {
			return err
		}
		for _, smp := range samples {
			k := smp.lset.String()
			if other, dup := keys[k]; dup {
				return fmt.Errorf("scrape %s: series %s is also in scrape %s: give each scrape distinct target labels (pod, instance)", s.Name, k, other)
			}
			keys[k] = s.Name
			name := smp.lset.Get(labels.MetricName)
			if c.index[name] == nil {
				c.index[name] = map[string]bool{}
			}
			smp.lset.Range(func(l labels.Label) {
				if l.Name != labels.MetricName {
					c.index[name][l.Name] = true
				}
			})
		}
		all = append(all, samples...)
	}
	c.summary.Scrapes = len(c.opts.Scrapes)
	c.summary.Series = len(all)
	c.summary.Metrics = len(c.index)

	c.evalTime = time.Now().Truncate(time.Second)
	steps := int(replaySpan / replayInterval)
	series := make(map[string]labels.Labels, len(all))
	points := make(map[string][]chunks.Sample, len(all))
	for _, smp := range all {
		k := smp.lset.String()
		series[k] = smp.lset
		ps := make([]chunks.Sample, 0, steps+1)
		for i := 0; i <= steps; i++ {
			ts := c.evalTime.Add(-time.Duration(steps-i) * replayInterval).UnixMilli()
			v := smp.v
			if smp.counter {
				v *= 0.5 + 0.5*float64(i)/float64(steps)
			}
			ps = append(ps, floatSample{t: ts, f: v})
		}
		points[k] = ps
	}
	c.db = newMemStore(series, points)
	c.engine = promql.NewEngine(promql.EngineOpts{
		MaxSamples:           50_000_000,
		Timeout:              time.Minute,
		LookbackDelta:        5 * time.Minute,
		EnableAtModifier:     true,
		EnableNegativeOffset: true,
		Parser:               c.parser,
	})
	return nil
}

// parseScrape reads one scrape file with Prometheus' own text-format parser.
func parseScrape(s Scrape) ([]sample, error) {
	b, err := os.ReadFile(s.Path)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", s.Name, err)
	}
	target := map[string]string{"job": s.Name, "instance": s.Name}
	for k, v := range s.Target {
		target[k] = v
	}
	p := textparse.NewPromParser(b, labels.NewSymbolTable(), false)
	types := map[string]model.MetricType{}
	var out []sample
	for {
		et, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("scrape %s (%s): %w", s.Name, s.Path, err)
		}
		switch et {
		case textparse.EntryType:
			name, typ := p.Type()
			types[string(name)] = typ
		case textparse.EntrySeries:
			_, _, v := p.Series()
			var l labels.Labels
			p.Labels(&l)
			out = append(out, sample{lset: withTarget(l, target), v: v, counter: isCounter(l, types)})
		case textparse.EntryHistogram:
			return nil, fmt.Errorf("scrape %s (%s): native histograms are not supported", s.Name, s.Path)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("scrape %s (%s): no series", s.Name, s.Path)
	}
	up := labels.NewBuilder(labels.FromStrings(labels.MetricName, "up"))
	for k, v := range target {
		up.Set(k, v)
	}
	return append(out, sample{lset: up.Labels(), v: 1}), nil
}

// withTarget adds the target labels as Prometheus does with honor_labels: false: a scraped
// label that clashes with a target label is kept as exported_<name>.
func withTarget(l labels.Labels, target map[string]string) labels.Labels {
	b := labels.NewBuilder(l)
	for k, v := range target {
		if old := l.Get(k); old != "" {
			b.Set("exported_"+k, old)
		}
		b.Set(k, v)
	}
	return b.Labels()
}

// isCounter tells whether a series only grows: a counter, or the _bucket, _sum and _count
// series of a histogram or summary.
func isCounter(l labels.Labels, types map[string]model.MetricType) bool {
	name := l.Get(labels.MetricName)
	if types[name] == model.MetricTypeCounter {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok {
			continue
		}
		switch types[base] {
		case model.MetricTypeHistogram:
			return true
		case model.MetricTypeSummary:
			return suffix != "_bucket"
		}
	}
	return false
}
