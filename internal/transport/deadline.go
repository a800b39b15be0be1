package transport

import (
	"context"
	"io"
	"sync"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/callctx"
)

// attemptContext is the context of one attempt's request: its parent's values plus the
// attempt's polybill.CallInfo (which polybill.CallInfoFrom reads), ended at the attempt's
// deadline by the client's reaper instead of by a timer of its own.
//
// Why not context.WithDeadline: every attempt of every call has a deadline (the attempt
// and call timeouts are on by default), and a timer per attempt costs more than the rest of
// the context machinery together. Adding a timer to a P's empty timer heap wakes the
// network poller or an idle P, and the timer, the timerCtx and the children map its child
// (net/http's own per-request context) registers in were about 700 of the SDK's 2,300 extra
// bytes a call over raw net/http; all for a deadline that almost never fires. Here one
// long-lived timer per client serves every attempt in flight (see reaper), and net/http's
// context registers through AfterFunc, which costs one small entry instead of a map.
//
// An attempt without a deadline of its own (no timeouts, or the parent's deadline comes
// first) is only a value wrapper: Done, Err and AfterFunc are the parent's.
//
// Cancellation follows the context package's rules: once the deadline passed, Done is
// closed and Err (and context.Cause, for a parent that was not canceled) is
// context.DeadlineExceeded, as WithDeadline reports it; when the parent ends first, Err is
// the parent's error. net/http reads context.Cause of its own child context, so an attempt
// that timed out fails with context.DeadlineExceeded, as before.
type attemptContext struct {
	context.Context // the parent: the call's context
	info            polybill.CallInfo
	// hasInfo is false for the plain client's requests (token endpoints): they hide the
	// CallInfo of a call they run inside, since a token request is not that operation.
	hasInfo bool
	// c is the client whose call this is, for the observers of a token fetched inside the
	// attempt (observeTokenFetch); it is no value a middleware can name.
	c *Client
	// deadline is the attempt's own deadline; zero makes this a value wrapper only.
	deadline time.Time

	mu         sync.Mutex
	done       chan struct{} // made on first use, or closedChan when ended before that
	err        error
	afterFuncs []*afterFunc
	stopParent func() bool // ends the propagation of the parent's cancellation

	// prev and next link the attempt into its reaper's list while listed (guarded by the
	// reaper's mutex).
	prev, next *attemptContext
	listed     bool
}

// closedChan is the Done channel of an attempt that ended before anyone asked for it.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

type afterFunc struct{ f func() }

// newAttemptContext returns the context of an attempt that ends at deadline (zero: when
// parent ends), registered with c's reaper; info is the attempt's CallInfo when hasInfo, and
// now is the time the deadline was computed at.
// release must be called once the attempt is over (its body closed, or its error
// returned).
func (c *Client) newAttemptContext(parent context.Context, now, deadline time.Time, info polybill.CallInfo, hasInfo bool) *attemptContext {
	a := &attemptContext{Context: parent, info: info, hasInfo: hasInfo, c: c, deadline: deadline}
	if deadline.IsZero() {
		return a
	}
	// Born ended, as WithDeadline's context is: net/http looks at Done before it sends, and
	// an end left to the reaper's or AfterFunc's goroutine would let the request go out.
	if err := parent.Err(); err != nil {
		a.end(err)
		return a
	}
	if !now.Before(deadline) {
		a.end(context.DeadlineExceeded)
		return a
	}
	c.reaper.add(a)
	if parent.Done() != nil {
		stop := context.AfterFunc(parent, func() { a.end(parent.Err()) })
		a.mu.Lock()
		ended := a.err != nil
		if !ended {
			a.stopParent = stop
		}
		a.mu.Unlock()
		if ended { // the parent ended or the deadline passed meanwhile, and its end was quicker
			stop()
		}
	}
	return a
}

func (a *attemptContext) Value(key any) any {
	switch key.(type) {
	case callctx.Key:
		if !a.hasInfo {
			return nil
		}
		return &a.info
	case observerClientKey:
		if a.hasInfo {
			return a.c
		}
	}
	return a.Context.Value(key)
}

func (a *attemptContext) Deadline() (time.Time, bool) {
	if a.deadline.IsZero() {
		return a.Context.Deadline()
	}
	return a.deadline, true
}

func (a *attemptContext) Done() <-chan struct{} {
	if a.deadline.IsZero() {
		return a.Context.Done()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done == nil {
		a.done = make(chan struct{})
	}
	return a.done
}

func (a *attemptContext) Err() error {
	if a.deadline.IsZero() {
		return a.Context.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// AfterFunc is what context.WithCancel and net/http's per-request context use to follow
// this context's cancellation (see context.AfterFunc): registering a function costs one
// small entry here, where a context.Context without it would cost a goroutine per child.
func (a *attemptContext) AfterFunc(f func()) (stop func() bool) {
	if a.deadline.IsZero() {
		return context.AfterFunc(a.Context, f)
	}
	e := &afterFunc{f: f}
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	a.afterFuncs = append(a.afterFuncs, e)
	a.mu.Unlock()
	return func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, x := range a.afterFuncs {
			if x == e {
				a.afterFuncs = append(a.afterFuncs[:i], a.afterFuncs[i+1:]...)
				return true
			}
		}
		return false
	}
}

// end ends the attempt's context with err (the reaper's context.DeadlineExceeded, the
// parent's error, or context.Canceled when the attempt is over): Done closes, every
// AfterFunc runs, each in its own goroutine, and the attempt leaves the reaper and stops
// following its parent. Only the first call counts.
func (a *attemptContext) end(err error) {
	if a.deadline.IsZero() {
		return
	}
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		return
	}
	a.err = err
	// Leave the reaper before Done closes, so whoever sees Done finds the attempt gone
	// (lock order: a.mu, then the reaper's; fire ends attempts after releasing its own).
	a.c.reaper.remove(a)
	if a.done == nil {
		a.done = closedChan
	} else {
		close(a.done)
	}
	fs, stop := a.afterFuncs, a.stopParent
	a.afterFuncs, a.stopParent = nil, nil
	a.mu.Unlock()
	for _, e := range fs {
		go e.f()
	}
	if stop != nil {
		stop()
	}
}

// release ends the attempt's context once the attempt is over (its body closed, or its
// error returned), as the cancel func of context.WithDeadline did: a middleware that kept
// the context sees it done, and the reaper forgets the attempt.
func (a *attemptContext) release() { a.end(context.Canceled) }

// releaseOnClose releases the attempt's context when the response body is closed: the
// attempt lasts until its body is read, and its deadline bounds that read too.
type releaseOnClose struct {
	io.ReadCloser
	attempt *attemptContext
}

func (b *releaseOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.attempt.release()
	return err
}

// reaper ends the attempts of one client whose deadline passed, with one timer for all of
// them. Its list is sorted by deadline, earliest first; attempts of a client mostly share
// one timeout, so a new one is almost always appended at the tail, and adding or removing
// one costs a lock and a few pointer writes. The timer is armed for the head and moved only
// when a new head comes earlier: when the head's call ends in time (as nearly every call
// does) the timer is left alone, fires at the old head's deadline, finds nothing due, and
// is armed for the new head, about once per attempt timeout while calls are flowing.
type reaper struct {
	mu         sync.Mutex
	head, tail *attemptContext
	timer      *time.Timer
	armed      time.Time // when timer fires; zero when it is stopped or has fired
}

func (r *reaper) add(a *attemptContext) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.tail
	for p != nil && p.deadline.After(a.deadline) {
		p = p.prev
	}
	a.prev = p
	if p == nil {
		a.next, r.head = r.head, a
	} else {
		a.next, p.next = p.next, a
	}
	if a.next == nil {
		r.tail = a
	} else {
		a.next.prev = a
	}
	a.listed = true
	if r.head == a && (r.armed.IsZero() || a.deadline.Before(r.armed)) {
		r.arm(a.deadline)
	}
}

func (r *reaper) remove(a *attemptContext) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unlink(a)
}

func (r *reaper) unlink(a *attemptContext) {
	if !a.listed {
		return
	}
	if a.prev == nil {
		r.head = a.next
	} else {
		a.prev.next = a.next
	}
	if a.next == nil {
		r.tail = a.prev
	} else {
		a.next.prev = a.prev
	}
	a.prev, a.next, a.listed = nil, nil, false
}

// arm sets the timer to fire at at; r.mu is held.
func (r *reaper) arm(at time.Time) {
	r.armed = at
	if r.timer == nil {
		r.timer = time.AfterFunc(time.Until(at), r.fire)
		return
	}
	r.timer.Reset(time.Until(at))
}

// fire ends every attempt whose deadline passed and arms the timer for the next one.
func (r *reaper) fire() {
	r.mu.Lock()
	now := time.Now()
	var due []*attemptContext
	for a := r.head; a != nil && !now.Before(a.deadline); a = r.head {
		r.unlink(a)
		due = append(due, a)
	}
	r.armed = time.Time{}
	if r.head != nil {
		r.arm(r.head.deadline)
	}
	r.mu.Unlock()
	for _, a := range due {
		a.end(context.DeadlineExceeded)
	}
}
