package transport

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
)

// waitDone fails the test unless ctx is done within a generous guard (not a timing
// assertion: the deadlines under test are milliseconds).
func waitDone(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context never ended")
	}
}

// An attempt context behaves as context.WithDeadline's did, for net/http and for anything a
// middleware derives from it.
func TestAttemptContextEndsAsWithDeadline(t *testing.T) {
	cause := errors.New("caller went away")
	tests := []struct {
		name string
		// parent returns the call's context and a func that cancels it (nil: never).
		parent    func() (context.Context, func())
		cancelNow bool // cancel the parent instead of waiting for the attempt deadline
		wantErr   error
		wantCause error
	}{
		{"deadline, parent never canceled", func() (context.Context, func()) { return context.Background(), nil }, false, context.DeadlineExceeded, context.DeadlineExceeded},
		{"deadline, cancelable parent", func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(context.Background())
			return ctx, func() { cancel(cause) }
		}, false, context.DeadlineExceeded, context.DeadlineExceeded},
		{"parent canceled first", func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(context.Background())
			return ctx, func() { cancel(cause) }
		}, true, context.Canceled, cause},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{}
			parent, cancel := tt.parent()
			if cancel != nil {
				defer cancel()
			}
			dl := time.Now().Add(20 * time.Millisecond)
			if tt.cancelNow {
				dl = time.Now().Add(time.Hour)
			}
			a := c.newAttemptContext(parent, time.Now(), dl, polybill.CallInfo{API: "test"}, true)
			// What net/http does with the request's context, and what a middleware may do.
			transportCtx, stopTransport := context.WithCancelCause(a)
			defer stopTransport(nil)
			derived, stopDerived := context.WithCancel(a)
			defer stopDerived()

			got, ok := a.Deadline()
			assert.True(t, ok)
			assert.Equal(t, dl, got)
			assert.NoError(t, a.Err(), "not ended yet")
			if tt.cancelNow {
				cancel()
			}
			waitDone(t, a)
			waitDone(t, transportCtx)
			waitDone(t, derived)
			assert.ErrorIs(t, a.Err(), tt.wantErr)
			assert.ErrorIs(t, context.Cause(a), tt.wantCause)
			assert.ErrorIs(t, context.Cause(transportCtx), tt.wantCause, "what net/http returns for the attempt")
			assert.ErrorIs(t, derived.Err(), tt.wantErr)
			info, ok := polybill.CallInfoFrom(a)
			assert.True(t, ok)
			assert.Equal(t, "test", info.API)
			a.release()
			assert.ErrorIs(t, a.Err(), tt.wantErr, "the first end counts")
		})
	}
}

func TestAttemptContextReleaseEndsItAndForgetsIt(t *testing.T) {
	c := &Client{}
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := c.newAttemptContext(parent, time.Now(), time.Now().Add(time.Hour), polybill.CallInfo{}, false)
	child, stopChild := context.WithCancel(a)
	defer stopChild()
	a.release()
	waitDone(t, a)
	waitDone(t, child)
	assert.ErrorIs(t, a.Err(), context.Canceled, "as WithDeadline's cancel func")
	c.reaper.mu.Lock()
	assert.Nil(t, c.reaper.head, "the reaper forgot the attempt")
	c.reaper.mu.Unlock()
	cancel()
	assert.ErrorIs(t, a.Err(), context.Canceled, "the parent's end no longer reaches it")
	_, ok := polybill.CallInfoFrom(a)
	assert.False(t, ok, "a token request hides its call's CallInfo")
}

// Without a deadline of its own an attempt is a value wrapper: Done, Err and Deadline are
// the parent's, and the reaper never sees it.
func TestAttemptContextWithoutDeadlineIsTheParents(t *testing.T) {
	c := &Client{}
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	a := c.newAttemptContext(parent, time.Now(), time.Time{}, polybill.CallInfo{}, true)
	assert.Equal(t, parent.Done(), a.Done())
	pdl, _ := parent.Deadline()
	dl, ok := a.Deadline()
	assert.True(t, ok)
	assert.Equal(t, pdl, dl)
	assert.Nil(t, c.reaper.head)
	cancel()
	waitDone(t, a)
	assert.ErrorIs(t, a.Err(), context.Canceled)
}

// The reaper ends attempts in deadline order whatever order they came in, ends none early,
// and never ends one that was released.
func TestReaperEndsDueAttemptsOnly(t *testing.T) {
	c := &Client{}
	now := time.Now()
	offsets := []time.Duration{40, 10, 30, 20, 50} // ms, out of order
	var attempts []*attemptContext
	for _, ms := range offsets {
		attempts = append(attempts, c.newAttemptContext(context.Background(), time.Now(), now.Add(ms*time.Millisecond), polybill.CallInfo{}, true))
	}
	late := c.newAttemptContext(context.Background(), time.Now(), now.Add(time.Hour), polybill.CallInfo{}, true)
	released := attempts[2] // 30 ms
	released.release()

	ended := make(chan time.Duration, len(attempts))
	var wg sync.WaitGroup
	for i, a := range attempts {
		if a == released {
			continue
		}
		wg.Go(func() {
			select {
			case <-a.Done():
			case <-time.After(5 * time.Second):
				t.Errorf("the %v attempt was not ended", offsets[i]*time.Millisecond)
				return
			}
			assert.ErrorIs(t, a.Err(), context.DeadlineExceeded)
			assert.False(t, time.Now().Before(a.deadline), "ended before its deadline")
			ended <- offsets[i]
		})
	}
	wg.Wait()
	close(ended)
	var order []time.Duration
	for ms := range ended {
		order = append(order, ms)
	}
	assert.ElementsMatch(t, []time.Duration{10, 20, 40, 50}, order)
	assert.ErrorIs(t, released.Err(), context.Canceled, "released, never reaped")
	assert.NoError(t, late.Err(), "not due")
	c.reaper.mu.Lock()
	assert.Same(t, late, c.reaper.head)
	assert.Same(t, late, c.reaper.tail)
	assert.Equal(t, late.deadline, c.reaper.armed, "armed for the one left")
	c.reaper.mu.Unlock()
	late.release()
}

// Calls that end in time leave the timer alone: it stays armed for the first deadline
// while later attempts come and go, instead of being moved once per attempt (the cost a
// timer per attempt had; see attemptContext).
func TestReaperArmsOnlyForAnEarlierHead(t *testing.T) {
	c := &Client{}
	first := time.Now().Add(time.Hour)
	a := c.newAttemptContext(context.Background(), time.Now(), first, polybill.CallInfo{}, true)
	a.release()
	for i := range 100 {
		b := c.newAttemptContext(context.Background(), time.Now(), first.Add(time.Duration(i+1)*time.Millisecond), polybill.CallInfo{}, true)
		b.release()
	}
	c.reaper.mu.Lock()
	assert.Equal(t, first, c.reaper.armed, "still armed for the first deadline")
	c.reaper.mu.Unlock()

	earlier := first.Add(-time.Minute)
	e := c.newAttemptContext(context.Background(), time.Now(), earlier, polybill.CallInfo{}, true)
	c.reaper.mu.Lock()
	assert.Equal(t, earlier, c.reaper.armed, "an earlier head moves the timer")
	c.reaper.mu.Unlock()
	e.release()
	require.True(t, c.reaper.timer.Stop())
}

// A deadline already past when the attempt starts ends it at once, and a parent that is
// already done ends it too.
func TestAttemptContextBornLate(t *testing.T) {
	// Ended when newAttemptContext returns, as WithDeadline's context is: net/http checks Done
	// before it sends, and an asynchronous end let a call made with a canceled context go out.
	endedNow := func(t *testing.T, ctx context.Context) {
		t.Helper()
		select {
		case <-ctx.Done():
		default:
			t.Fatal("not done when made")
		}
	}
	c := &Client{}
	a := c.newAttemptContext(context.Background(), time.Now(), time.Now().Add(-time.Second), polybill.CallInfo{}, true)
	endedNow(t, a)
	assert.ErrorIs(t, a.Err(), context.DeadlineExceeded)

	parent, cancel := context.WithCancel(context.Background())
	cancel()
	b := c.newAttemptContext(parent, time.Now(), time.Now().Add(time.Hour), polybill.CallInfo{}, true)
	endedNow(t, b)
	assert.ErrorIs(t, b.Err(), context.Canceled)
	c.reaper.mu.Lock()
	assert.Nil(t, c.reaper.head, "an ended attempt leaves the reaper")
	c.reaper.mu.Unlock()
}

// A released attempt leaves nothing behind on a long-lived parent (a server's base context
// used for every call): its registration to follow the parent's cancellation is removed,
// as WithDeadline's cancel removed the child from its parent. Without that, every call
// would leave an entry on the parent for as long as it lives.
func TestReleasedAttemptsLeaveNothingOnTheirParent(t *testing.T) {
	c := &Client{}
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const calls = 50_000
	before := heap()
	for range calls {
		a := c.newAttemptContext(parent, time.Now(), time.Now().Add(time.Hour), polybill.CallInfo{}, true)
		// What net/http does with the attempt's context: a cancelable child, canceled once
		// the exchange is over.
		child, cancelChild := context.WithCancelCause(a)
		_ = child.Done()
		cancelChild(nil)
		a.release()
	}
	growth := int64(heap()) - int64(before)
	// A registration left behind costs well over 100 bytes: 50,000 of them are megabytes.
	assert.Less(t, growth, int64(calls*20), "the parent kept %d bytes for %d released attempts", growth, calls)
	c.reaper.mu.Lock()
	assert.Nil(t, c.reaper.head, "the reaper forgot them too")
	c.reaper.mu.Unlock()
}
