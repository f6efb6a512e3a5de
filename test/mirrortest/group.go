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
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
)

// GroupMember is one member of a consumer group as the coordinator sees it.
type GroupMember struct {
	ClientID string
	Topics   []string // topics with partitions assigned to the member, sorted
	Assigned int      // number of partitions assigned
}

// DescribeGroup returns the group's state and its members with their assignments; it is how a
// test sees what the mirror subscribed to and how many consumers it runs.
func DescribeGroup(ctx context.Context, adm *kadm.Client, group string) (string, []GroupMember, error) {
	gs, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return "", nil, err
	}
	g, ok := gs[group]
	if !ok {
		return "", nil, fmt.Errorf("group %s not described", group)
	}
	if g.Err != nil {
		return "", nil, g.Err
	}
	var out []GroupMember
	for _, m := range g.Members {
		gm := GroupMember{ClientID: m.ClientID}
		if ca, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range ca.Topics {
				if len(t.Partitions) > 0 {
					gm.Topics = append(gm.Topics, t.Topic)
					gm.Assigned += len(t.Partitions)
				}
			}
		}
		sort.Strings(gm.Topics)
		out = append(out, gm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return g.State, out, nil
}

// AssignedTopics is the union of the members' assigned topics, sorted.
func AssignedTopics(members []GroupMember) []string {
	set := map[string]bool{}
	for _, m := range members {
		for _, t := range m.Topics {
			set[t] = true
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
