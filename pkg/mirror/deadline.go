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

package mirror

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineGranularity is how long one send deadline is shared: records sent within it expire
// together, so a busy mirror makes a timer every 100 ms, not one per record.
const deadlineGranularity = 100 * time.Millisecond

// sendDeadlines gives each record the context it is produced with, which expires
// delivery.timeout.ms after the send (Java's meaning: the time from send() to the answer). kgo
// fails a record still buffered when its context is done. kgo's own RecordDeliveryTimeout is
// no use here: it counts from the record's timestamp, which a mirror copies from the source.
type sendDeadlines struct {
	timeout time.Duration
	mu      sync.Mutex
	cur     atomic.Pointer[expiring]
}

// ctx returns a context that expires between timeout and timeout+deadlineGranularity from
// now; with no timeout, one that never does.
func (d *sendDeadlines) ctx() context.Context {
	if d.timeout <= 0 {
		return context.Background()
	}
	return d.at(time.Now())
}

func (d *sendDeadlines) at(now time.Time) context.Context {
	if e := d.cur.Load(); e != nil && e.deadline.Sub(now) >= d.timeout {
		return e
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.cur.Load(); e != nil && e.deadline.Sub(now) >= d.timeout {
		return e
	}
	e := &expiring{deadline: now.Add(d.timeout + deadlineGranularity), done: make(chan struct{})}
	time.AfterFunc(time.Until(e.deadline), func() { close(e.done) })
	d.cur.Store(e)
	return e
}

// expiring is a context.Context that is done at its deadline, shared by many records.
type expiring struct {
	deadline time.Time
	done     chan struct{}
}

func (e *expiring) Deadline() (time.Time, bool) { return e.deadline, true }
func (e *expiring) Done() <-chan struct{}       { return e.done }
func (e *expiring) Value(any) any               { return nil }

func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
