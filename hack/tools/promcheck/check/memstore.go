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
	"context"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// memStore is a read-only, in-memory storage.Queryable of float series: all the engine needs.
// (The tsdb package would do too, but it brings in Prometheus' whole configuration graph, cloud
// SDKs included, which would multiply this tool's build time.)
type memStore struct {
	series []*storage.SeriesEntry // sorted by labels
}

// floatSample is a float sample for storage.NewListSeries.
type floatSample struct {
	t int64
	f float64
}

func (s floatSample) T() int64                      { return s.t }
func (s floatSample) ST() int64                     { return 0 }
func (s floatSample) F() float64                    { return s.f }
func (s floatSample) H() *histogram.Histogram       { return nil }
func (s floatSample) FH() *histogram.FloatHistogram { return nil }
func (s floatSample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s floatSample) Copy() chunks.Sample           { return s }

// newMemStore builds the store; samples of each series must be in time order.
func newMemStore(series map[string]labels.Labels, samples map[string][]chunks.Sample) *memStore {
	m := &memStore{}
	for k, lset := range series {
		m.series = append(m.series, storage.NewListSeries(lset, samples[k]))
	}
	sort.Slice(m.series, func(i, j int) bool { return labels.Compare(m.series[i].Labels(), m.series[j].Labels()) < 0 })
	return m
}

func (m *memStore) Querier(_, _ int64) (storage.Querier, error) { return m, nil }

func (m *memStore) matching(ms []*labels.Matcher) []storage.Series {
	var out []storage.Series
	for _, s := range m.series {
		lset := s.Labels()
		ok := true
		for _, matcher := range ms {
			if !matcher.Matches(lset.Get(matcher.Name)) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// Select returns the matching series (the engine limits the time range itself).
func (m *memStore) Select(_ context.Context, _ bool, _ *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	return &listSeriesSet{series: m.matching(ms), i: -1}
}

func (m *memStore) LabelValues(_ context.Context, name string, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	vals := map[string]bool{}
	for _, s := range m.matching(ms) {
		if v := s.Labels().Get(name); v != "" {
			vals[v] = true
		}
	}
	return sortedKeys(vals), nil, nil
}

func (m *memStore) LabelNames(_ context.Context, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	names := map[string]bool{}
	for _, s := range m.matching(ms) {
		s.Labels().Range(func(l labels.Label) { names[l.Name] = true })
	}
	return sortedKeys(names), nil, nil
}

func (m *memStore) Close() error { return nil }

type listSeriesSet struct {
	series []storage.Series
	i      int
}

func (s *listSeriesSet) Next() bool                        { s.i++; return s.i < len(s.series) }
func (s *listSeriesSet) At() storage.Series                { return s.series[s.i] }
func (s *listSeriesSet) Err() error                        { return nil }
func (s *listSeriesSet) Warnings() annotations.Annotations { return nil }
