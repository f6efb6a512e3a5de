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
	"fmt"
	"sort"
	"strings"
)

// Report is the outcome of comparing the records found on the target with the records written
// to the source, per id.
type Report struct {
	Expected   int            // distinct ids expected
	Found      int            // target records examined
	Delivered  int            // expected ids found at least once
	Missing    []string       // expected ids not found
	Duplicates map[string]int // id -> number of extra copies (at-least-once allows these)
	Corrupted  []string       // one description per copy whose content or partition is wrong
	Unexpected []string       // target records whose id was not expected (first few, described)
	NumUnexp   int            // number of unexpected records
}

// DuplicateCount is the number of extra copies over all ids.
func (r *Report) DuplicateCount() int {
	n := 0
	for _, c := range r.Duplicates {
		n += c
	}
	return n
}

// Complete is true when every expected record arrived intact exactly where it belongs and
// nothing else arrived; duplicates are allowed (check DuplicateCount separately).
func (r *Report) Complete() bool {
	return len(r.Missing) == 0 && len(r.Corrupted) == 0 && r.NumUnexp == 0
}

// String summarises the report with the first few offending ids of each kind.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected %d, delivered %d, missing %d, duplicates %d (of %d ids), corrupted %d, unexpected %d (target records %d)",
		r.Expected, r.Delivered, len(r.Missing), r.DuplicateCount(), len(r.Duplicates), len(r.Corrupted), r.NumUnexp, r.Found)
	list := func(name string, xs []string) {
		if len(xs) == 0 {
			return
		}
		n := len(xs)
		if n > 10 {
			n = 10
		}
		fmt.Fprintf(&b, "\n  %s (first %d): %s", name, n, strings.Join(xs[:n], "; "))
	}
	list("missing", r.Missing)
	list("corrupted", r.Corrupted)
	list("unexpected", r.Unexpected)
	if len(r.Duplicates) > 0 {
		ids := make([]string, 0, len(r.Duplicates))
		for id := range r.Duplicates {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		list("duplicated", ids)
	}
	return b.String()
}

// Verify compares the target records got with the source records expected. targetPartitions
// holds the target's partition count per topic; every copy of a keyed record must be on the
// partition murmur2 assigns its key there (records without a key may be anywhere).
func Verify(expected, got []Record, targetPartitions map[string]int32) *Report {
	byID := make(map[string]*Record, len(expected))
	for i := range expected {
		byID[expected[i].ID()] = &expected[i]
	}
	rep := &Report{Expected: len(byID), Found: len(got), Duplicates: map[string]int{}}
	seen := make(map[string]int, len(expected))
	for i := range got {
		g := &got[i]
		id := g.ID()
		want, ok := byID[id]
		if !ok {
			rep.NumUnexp++
			if len(rep.Unexpected) < 10 {
				rep.Unexpected = append(rep.Unexpected, fmt.Sprintf("%s/%d@%d id %q headers %s value %s",
					g.Topic, g.Partition, g.Offset, id, showHeaders(g.Headers), showBytes(g.Value)))
			}
			continue
		}
		seen[id]++
		if seen[id] > 1 {
			rep.Duplicates[id]++
		}
		diffs := want.diff(g)
		if want.Key != nil {
			if n, ok := targetPartitions[g.Topic]; !ok {
				diffs = append(diffs, fmt.Sprintf("topic %q has no known partition count", g.Topic))
			} else if p := KeyPartition(want.Key, n); p != g.Partition {
				diffs = append(diffs, fmt.Sprintf("partition %d, want %d (murmur2 of key %q over %d partitions)", g.Partition, p, want.Key, n))
			}
		}
		if len(diffs) > 0 {
			rep.Corrupted = append(rep.Corrupted, fmt.Sprintf("%s at %s/%d@%d: %s", id, g.Topic, g.Partition, g.Offset, strings.Join(diffs, ", ")))
		}
	}
	for id := range byID {
		if seen[id] == 0 {
			rep.Missing = append(rep.Missing, id)
		}
	}
	sort.Strings(rep.Missing)
	rep.Delivered = len(byID) - len(rep.Missing)
	return rep
}

// CountIDs returns how often each id occurs in recs.
func CountIDs(recs []Record) map[string]int {
	m := make(map[string]int, len(recs))
	for i := range recs {
		m[recs[i].ID()]++
	}
	return m
}
