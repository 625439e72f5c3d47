package conformance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dtm-labs/client/dtmcli"
)

var (
	sagaKeys2 = []string{"01/compensate", "01/action", "02/compensate", "02/action"}
	sagaKeys3 = []string{"01/compensate", "01/action", "02/compensate", "02/action", "03/compensate", "03/action"}
)

// twoStepSaga is the classic transfer: TransOut then TransIn, each with its compensation.
func twoStepSaga(p *Participant, gid string) (s *dtmcli.Saga, outBody, inBody string) {
	out, outBody := payload("amount", 30, "step", "out", "gid", gid)
	in, inBody := payload("amount", 30, "step", "in", "gid", gid)
	s = newSaga(gid).
		Add(p.URL("/TransOut"), p.URL("/TransOutRevert"), out).
		Add(p.URL("/TransIn"), p.URL("/TransInRevert"), in)
	return s, outBody, inBody
}

// (1) Sequential saga, every action succeeds.
func TestSagaSequentialSuccess(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-ok")
	saga, outBody, inBody := twoStepSaga(p, gid)

	// Hold the first action to see the saga in flight: the second action must not start yet.
	release := p.Hold("/TransOut", Success)
	defer release()
	requireNoError(t, "Submit", saga.Submit())
	if ex := lastExchange(t, gid, "submit"); ex.Status != 200 || !strings.Contains(ex.Body, `"SUCCESS"`) {
		t.Errorf("submit answered %d %s, want 200 {\"dtm_result\":\"SUCCESS\"}", ex.Status, ex.Body)
	}

	p.WaitCalls("/TransOut", 1, 10*time.Second)
	q := mustQuery(t, gid)
	if q.status() != dtmcli.StatusSubmitted {
		t.Errorf("while the first action is in flight: status %q, want submitted (%s)", q.status(), q.raw)
	}
	expectBranches(t, q, sagaKeys2, []string{"prepared", "prepared", "prepared", "prepared"})
	if n := len(p.Calls("/TransIn")); n != 0 {
		t.Errorf("second action called %d time(s) while the first was still running", n)
	}
	release()

	q = waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
	expectBranches(t, q, sagaKeys2, []string{"prepared", "succeed", "prepared", "succeed"})
	if q.Transaction.TransType != "saga" || q.Transaction.Gid != gid {
		t.Errorf("transaction gid/trans_type = %q/%q", q.Transaction.Gid, q.Transaction.TransType)
	}
	if q.Transaction.FinishTime == "" {
		t.Errorf("finish_time is not set on a succeeded saga: %s", q.raw)
	}
	// The stored branches carry the step URLs and the payload bytes (base64 bin_data).
	wantURL := []string{p.URL("/TransOutRevert"), p.URL("/TransOut"), p.URL("/TransInRevert"), p.URL("/TransIn")}
	wantData := []string{outBody, outBody, inBody, inBody}
	for i, b := range q.Branches {
		if b.URL != wantURL[i] || string(b.BinData) != wantData[i] {
			t.Errorf("branch %d: url=%q bin_data=%q, want url=%q bin_data=%q", i, b.URL, b.BinData, wantURL[i], wantData[i])
		}
	}

	calls := p.Calls()
	expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn"})
	if len(calls) != 2 {
		t.Fatalf("calls:\n%s", p.Describe())
	}
	expectCall(t, calls[0], "POST", gid, "saga", "01", "action")
	expectCall(t, calls[1], "POST", gid, "saga", "02", "action")
	if calls[0].Body != outBody || calls[1].Body != inBody {
		t.Errorf("bodies: got %q and %q, want %q and %q", calls[0].Body, calls[1].Body, outBody, inBody)
	}
	for _, c := range calls {
		if ct := c.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
			t.Errorf("%s: Content-Type %q, want application/json", c.Path, ct)
		}
	}
	if calls[1].At.Before(calls[0].Done) {
		t.Errorf("second action arrived at %s, before the first answered at %s", calls[1].At, calls[0].Done)
	}
}

// (2) The second action answers FAILURE: compensations run in reverse, including the failed step.
func TestSagaActionFailureCompensatesInReverse(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-rollback")
	saga, outBody, inBody := twoStepSaga(p, gid)
	p.Script("/TransIn", Failure)

	requireNoError(t, "Submit", saga.Submit())
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusFailed)
	expectBranches(t, q, sagaKeys2, []string{"succeed", "succeed", "succeed", "failed"})
	// DTM's reason names the failed action: "url:<url> return failed: <body> ...".
	if !strings.Contains(q.Transaction.RollbackReason, p.URL("/TransIn")) {
		t.Errorf("rollback_reason %q does not name the failed action %s", q.Transaction.RollbackReason, p.URL("/TransIn"))
	}
	t.Logf("rollback_reason: %q", q.Transaction.RollbackReason)
	if q.Transaction.RollbackTime == "" {
		t.Errorf("rollback_time is not set on a failed saga: %s", q.raw)
	}

	calls := p.Calls()
	expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn", "/TransInRevert", "/TransOutRevert"})
	if len(calls) != 4 {
		t.Fatalf("calls:\n%s", p.Describe())
	}
	expectCall(t, calls[0], "POST", gid, "saga", "01", "action")
	expectCall(t, calls[1], "POST", gid, "saga", "02", "action")
	expectCall(t, calls[2], "POST", gid, "saga", "02", "compensate")
	expectCall(t, calls[3], "POST", gid, "saga", "01", "compensate")
	if calls[2].Body != inBody || calls[3].Body != outBody {
		t.Errorf("compensation bodies: got %q and %q, want %q and %q", calls[2].Body, calls[3].Body, inBody, outBody)
	}
	if calls[3].At.Before(calls[2].Done) {
		t.Errorf("compensation 01 started before compensation 02 answered")
	}
}

// (3) A compensation answering 500 is retried (never terminal) and the saga then ends failed.
func TestSagaCompensationErrorIsRetried(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-comp-retry")
	saga, _, inBody := twoStepSaga(p, gid)
	p.Script("/TransIn", Failure)
	p.Script("/TransInRevert", Error500, Success)

	requireNoError(t, "Submit", saga.Submit())
	first := p.WaitAnswered("/TransInRevert", 0, defaultWait)
	// After the 500 the saga is rolling back, not finished, and compensation 01 has not run.
	waitQuery(t, gid, "status aborting after the failed compensation", 5*time.Second, func(q *queryResult) bool {
		return q.status() == dtmcli.StatusAborting
	})
	if n := len(p.Calls("/TransOutRevert")); n != 0 && len(p.Calls("/TransInRevert")) < 2 {
		t.Errorf("compensation 01 ran before compensation 02 succeeded:\n%s", p.Describe())
	}

	q := waitStatus(t, gid, defaultWait, dtmcli.StatusFailed)
	expectBranches(t, q, sagaKeys2, []string{"succeed", "succeed", "succeed", "failed"})
	expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn", "/TransInRevert", "/TransInRevert", "/TransOutRevert"})
	retries := p.Calls("/TransInRevert")
	if len(retries) == 2 {
		expectCall(t, retries[1], "POST", gid, "saga", "02", "compensate")
		if retries[1].Body != inBody {
			t.Errorf("retried compensation body %q, want %q", retries[1].Body, inBody)
		}
		t.Logf("compensation retried %s after the 500", retries[1].At.Sub(first.Done).Round(time.Millisecond))
		last := p.Calls("/TransOutRevert")
		if len(last) == 1 && last[0].At.Before(retries[1].Done) {
			t.Errorf("compensation 01 started before the retried compensation 02 answered")
		}
	}
	if b := q.Branches[2]; b.Attempts != nil && *b.Attempts != 2 {
		t.Errorf("compensation 02 attempts = %d, want 2 (%s)", *b.Attempts, q.raw)
	}
}

// threeStepConcurrent builds A, B, C with C ordered after A and B.
func threeStepConcurrent(p *Participant, gid string) *dtmcli.Saga {
	a, _ := payload("step", "A")
	b, _ := payload("step", "B")
	c, _ := payload("step", "C")
	s := newSaga(gid).
		Add(p.URL("/A"), p.URL("/ARevert"), a).
		Add(p.URL("/B"), p.URL("/BRevert"), b).
		Add(p.URL("/C"), p.URL("/CRevert"), c).
		AddBranchOrder(2, []int{0, 1}).
		SetConcurrent()
	return s
}

// checkConcurrentForward proves A and B run together and C only after both answered.
func checkConcurrentForward(t *testing.T, p *Participant, releaseA func()) {
	t.Helper()
	p.WaitCalls("/A", 1, 10*time.Second)
	// B is not ordered after A, so it is called and answered while A is still held.
	p.WaitAnswered("/B", 0, 2500*time.Millisecond)
	if a := p.Calls("/A")[0]; !a.Done.IsZero() {
		t.Fatalf("A answered before B was answered; the hold did not work:\n%s", p.Describe())
	}
	if n := len(p.Calls("/C")); n != 0 {
		t.Errorf("C was called while A (one of its prerequisites) was still running:\n%s", p.Describe())
	}
	releaseA()
	c := p.WaitCalls("/C", 1, defaultWait)[0]
	a := p.Calls("/A")[0]
	b := p.Calls("/B")[0]
	if c.At.Before(a.Done) || c.At.Before(b.Done) {
		t.Errorf("C arrived at %s, before A (%s) and B (%s) answered", c.At, a.Done, b.Done)
	}
	expectCall(t, a, "POST", a.Gid, "saga", "01", "action")
	expectCall(t, b, "POST", a.Gid, "saga", "02", "action")
	expectCall(t, c, "POST", a.Gid, "saga", "03", "action")
}

// (4a) Concurrent saga with AddBranchOrder: the order is honoured forward.
func TestSagaConcurrentOrdersSuccess(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-conc-ok")
	saga := threeStepConcurrent(p, gid)
	releaseA := p.Hold("/A", Success)
	defer releaseA()

	requireNoError(t, "Submit", saga.Submit())
	checkConcurrentForward(t, p, releaseA)
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
	expectBranches(t, q, sagaKeys3, []string{"prepared", "succeed", "prepared", "succeed", "prepared", "succeed"})
	if n := len(p.Calls("/ARevert", "/BRevert", "/CRevert")); n != 0 {
		t.Errorf("%d compensation(s) called on a successful saga:\n%s", n, p.Describe())
	}
	if ex := lastExchange(t, gid, "submit"); ex.Status != 200 {
		t.Errorf("submit answered %d %s", ex.Status, ex.Body)
	}
}

// (4b) Concurrent saga with AddBranchOrder: on failure the compensations run in reverse order.
func TestSagaConcurrentOrdersCompensateInReverse(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-conc-rollback")
	saga := threeStepConcurrent(p, gid)
	releaseA := p.Hold("/A", Success)
	defer releaseA()
	p.Script("/C", Failure)

	requireNoError(t, "Submit", saga.Submit())
	checkConcurrentForward(t, p, releaseA)
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusFailed)
	expectBranches(t, q, sagaKeys3, []string{"succeed", "succeed", "succeed", "succeed", "succeed", "failed"})
	if !strings.Contains(q.Transaction.RollbackReason, p.URL("/C")) {
		t.Errorf("rollback_reason %q does not name the failed action %s", q.Transaction.RollbackReason, p.URL("/C"))
	}

	cr := p.Calls("/CRevert")
	ar := p.Calls("/ARevert")
	br := p.Calls("/BRevert")
	if len(cr) != 1 || len(ar) != 1 || len(br) != 1 {
		t.Fatalf("each compensation should run once:\n%s", p.Describe())
	}
	// A and B must not be compensated before C (which depends on them) is compensated.
	if ar[0].At.Before(cr[0].Done) || br[0].At.Before(cr[0].Done) {
		t.Errorf("A or B compensated before C's compensation answered:\n%s", p.Describe())
	}
	expectCall(t, cr[0], "POST", gid, "saga", "03", "compensate")
	expectCall(t, br[0], "POST", gid, "saga", "02", "compensate")
	expectCall(t, ar[0], "POST", gid, "saga", "01", "compensate")
}

// (5) wait_result: success returns nil with the saga already finished; a rollback returns an error.
func TestSagaWaitResult(t *testing.T) {
	t.Parallel()
	t.Run("success", func(t *testing.T) {
		t.Parallel()
		p := newParticipant(t)
		gid := newGid("saga-wait-ok")
		saga, _, _ := twoStepSaga(p, gid)
		saga.WaitResult = true
		requireNoError(t, "Submit with WaitResult", saga.Submit())
		// No polling: with wait_result the answer comes after processing.
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusSucceed {
			t.Errorf("status right after a successful wait_result submit: %q, want succeed (%s)", q.status(), q.raw)
		}
		expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn"})
	})
	t.Run("rollback", func(t *testing.T) {
		t.Parallel()
		p := newParticipant(t)
		gid := newGid("saga-wait-rollback")
		saga, _, _ := twoStepSaga(p, gid)
		saga.WaitResult = true
		p.Script("/TransIn", Failure)
		err := saga.Submit()
		if err == nil {
			t.Fatalf("Submit with WaitResult of a saga that rolls back returned nil")
		}
		// dtmcli v1.18 turns a non-200 answer of the server into errors.New(body): it does not
		// wrap ErrFailure, so the body text is what a caller can test.
		if !strings.Contains(err.Error(), "FAILURE") {
			t.Errorf("error %q does not contain FAILURE", err)
		}
		t.Logf("Submit error: %v (errors.Is ErrFailure: %v)", err, errors.Is(err, dtmcli.ErrFailure))
		if ex := lastExchange(t, gid, "submit"); ex.Status != 409 {
			t.Errorf("wait_result submit of a rolled-back saga answered %d %s, want 409", ex.Status, ex.Body)
		}
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusFailed {
			t.Errorf("status right after the wait_result submit: %q, want failed (%s)", q.status(), q.raw)
		}
		expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn", "/TransInRevert", "/TransOutRevert"})
	})
}

// (6a) An action answering ONGOING stays prepared, is retried, and the saga then succeeds.
func TestSagaOngoingActionIsRetried(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-ongoing")
	saga, outBody, _ := twoStepSaga(p, gid)
	p.Script("/TransOut", Ongoing)

	requireNoError(t, "Submit", saga.Submit())
	p.WaitAnswered("/TransOut", 0, 10*time.Second)
	if len(p.Calls("/TransOut")) == 1 {
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusSubmitted || q.Branches[1].Status != "prepared" {
			t.Errorf("after ONGOING: status %q, action 01 %q; want submitted, prepared (%s)", q.status(), q.Branches[1].Status, q.raw)
		}
	}
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
	expectBranches(t, q, sagaKeys2, []string{"prepared", "succeed", "prepared", "succeed"})
	expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransOut", "/TransIn"})
	outs := p.Calls("/TransOut")
	if len(outs) == 2 {
		expectCall(t, outs[1], "POST", gid, "saga", "01", "action")
		if outs[1].Body != outBody {
			t.Errorf("retried action body %q, want %q", outs[1].Body, outBody)
		}
		t.Logf("ONGOING action retried after %s", outs[1].At.Sub(outs[0].Done).Round(time.Millisecond))
	}
}

// (6b) timeout_to_fail: a saga whose action keeps answering ONGOING past its timeout is rolled
// back with the timeout reason; the started action is compensated, the unstarted one is not.
func TestSagaTimeoutToFail(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-timeout")
	saga, _, _ := twoStepSaga(p, gid)
	saga.TimeoutToFail = 2
	p.Script("/TransOut", Ongoing, Ongoing, Ongoing, Ongoing, Ongoing, Ongoing, Ongoing, Ongoing, Ongoing, Ongoing)

	start := time.Now()
	requireNoError(t, "Submit", saga.Submit())
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusFailed)
	if time.Since(start) < 1500*time.Millisecond {
		t.Errorf("saga failed after %s, before its 2 s timeout", time.Since(start))
	}
	if !strings.Contains(q.Transaction.RollbackReason, "Timeout after 2 seconds") {
		t.Errorf("rollback_reason %q, want it to contain %q", q.Transaction.RollbackReason, "Timeout after 2 seconds")
	}
	expectBranches(t, q, sagaKeys2, []string{"succeed", "prepared", "prepared", "prepared"})
	for _, c := range p.Calls("/TransOut") {
		if c.Reply != Ongoing {
			t.Errorf("action 01 answered %s; the script should not have run out", c.Reply)
		}
	}
	if n := len(p.Calls("/TransIn", "/TransInRevert")); n != 0 {
		t.Errorf("step 02 was called %d time(s) though it never started:\n%s", n, p.Describe())
	}
	rev := p.Calls("/TransOutRevert")
	if len(rev) != 1 {
		t.Fatalf("compensation 01 called %d time(s), want 1:\n%s", len(rev), p.Describe())
	}
	expectCall(t, rev[0], "POST", gid, "saga", "01", "compensate")
}

// (7) branch_headers reach every branch call: actions, the retried action and compensations.
func TestSagaBranchHeaders(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-headers")
	saga, _, _ := twoStepSaga(p, gid)
	saga.BranchHeaders = map[string]string{"X-Conformance-Token": "tok-" + gid, "X-Tenant": "blue"}
	p.Script("/TransIn", Error500, Failure)

	requireNoError(t, "Submit", saga.Submit())
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusFailed)
	expectBranches(t, q, sagaKeys2, []string{"succeed", "succeed", "succeed", "failed"})
	expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn", "/TransIn", "/TransInRevert", "/TransOutRevert"})
	for i, c := range p.Calls() {
		if c.Header.Get("X-Conformance-Token") != "tok-"+gid || c.Header.Get("X-Tenant") != "blue" {
			t.Errorf("call #%d %s op=%s: headers %v lack the branch_headers", i, c.Path, c.Op, c.Header)
		}
	}
}

// (8a) Submitting a saga again after it succeeded is refused and calls nobody.
func TestSagaResubmitAfterSuccess(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-resubmit")
	saga, _, _ := twoStepSaga(p, gid)
	requireNoError(t, "Submit", saga.Submit())
	waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)

	err := saga.Submit()
	if err == nil {
		t.Fatalf("second Submit of a succeeded saga returned nil")
	}
	t.Logf("second Submit: %v", err)
	if ex := lastExchange(t, gid, "submit"); ex.Status != 409 || !strings.Contains(ex.Body, "FAILURE") {
		t.Errorf("resubmit answered %d %s, want 409 with FAILURE", ex.Status, ex.Body)
	}
	holdsFor(t, gid, "status succeed with the 4 original branches", 1500*time.Millisecond, func(q *queryResult) bool {
		return q.status() == dtmcli.StatusSucceed && equalStrings(q.branchStatuses(), []string{"prepared", "succeed", "prepared", "succeed"})
	})
	expectStrings(t, "participant calls", p.Paths(), []string{"/TransOut", "/TransIn"})
}

// (8b) Submitting a saga again while it is still running is accepted and adds nothing: the
// succeeded action is not called again and no branch rows are added.
func TestSagaResubmitWhileRunning(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("saga-resubmit-running")
	saga, _, _ := twoStepSaga(p, gid)
	p.Script("/TransIn", Ongoing)

	requireNoError(t, "Submit", saga.Submit())
	p.WaitCalls("/TransIn", 1, 10*time.Second)
	requireNoError(t, "second Submit while submitted", saga.Submit())
	if ex := lastExchange(t, gid, "submit"); ex.Status != 200 {
		t.Errorf("resubmit of a running saga answered %d %s, want 200", ex.Status, ex.Body)
	}
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
	expectBranches(t, q, sagaKeys2, []string{"prepared", "succeed", "prepared", "succeed"})
	if n := len(p.Calls("/TransOut")); n != 1 {
		t.Errorf("succeeded action 01 called %d times, want 1:\n%s", n, p.Describe())
	}
}
