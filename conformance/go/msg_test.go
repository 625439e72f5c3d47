package conformance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dtm-labs/client/dtmcli"
)

var msgKeys2 = []string{"01/action", "02/action"}

// twoStepMsg is a msg delivering to /A then /B.
func twoStepMsg(p *Participant, gid string) (m *dtmcli.Msg, aBody, bBody string) {
	a, aBody := payload("to", "A", "gid", gid)
	b, bBody := payload("to", "B", "gid", gid)
	m = newMsg(gid).Add(p.URL("/A"), a).Add(p.URL("/B"), b)
	return m, aBody, bBody
}

// checkDelivered asserts that /A then /B received the msg once each, as DTM sends it.
func checkDelivered(t *testing.T, p *Participant, gid, aBody, bBody string) {
	t.Helper()
	calls := p.Calls("/A", "/B")
	expectStrings(t, "deliveries", pathsOf(calls), []string{"/A", "/B"})
	if len(calls) != 2 {
		t.Fatalf("calls:\n%s", p.Describe())
	}
	expectCall(t, calls[0], "POST", gid, "msg", "01", "action")
	expectCall(t, calls[1], "POST", gid, "msg", "02", "action")
	if calls[0].Body != aBody || calls[1].Body != bBody {
		t.Errorf("bodies: got %q and %q, want %q and %q", calls[0].Body, calls[1].Body, aBody, bBody)
	}
	if calls[1].At.Before(calls[0].Done) {
		t.Errorf("second delivery arrived before the first was answered")
	}
}

func pathsOf(calls []Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Path)
	}
	return out
}

// (1) Prepare(queryPrepared) then Submit: actions delivered in order, msg succeeds.
func TestMsgPrepareSubmit(t *testing.T) {
	t.Parallel()
	t.Run("Prepare+Submit", func(t *testing.T) {
		t.Parallel()
		p := newParticipant(t)
		gid := newGid("msg-ok")
		msg, aBody, bBody := twoStepMsg(p, gid)

		requireNoError(t, "Prepare", msg.Prepare(p.URL("/QueryPrepared")))
		if ex := lastExchange(t, gid, "prepare"); ex.Status != 200 || !strings.Contains(ex.Body, `"SUCCESS"`) {
			t.Errorf("prepare answered %d %s", ex.Status, ex.Body)
		}
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusPrepared || q.Transaction.TransType != "msg" {
			t.Errorf("after Prepare: status %q trans_type %q, want prepared msg (%s)", q.status(), q.Transaction.TransType, q.raw)
		}
		if q.Transaction.QueryPrepared != p.URL("/QueryPrepared") {
			t.Errorf("query_prepared stored as %q", q.Transaction.QueryPrepared)
		}
		expectBranches(t, q, msgKeys2, []string{"prepared", "prepared"})
		if n := len(p.Calls()); n != 0 {
			t.Errorf("participant called before Submit:\n%s", p.Describe())
		}

		requireNoError(t, "Submit", msg.Submit())
		q = waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
		expectBranches(t, q, msgKeys2, []string{"succeed", "succeed"})
		checkDelivered(t, p, gid, aBody, bBody)
		if n := len(p.Calls("/QueryPrepared")); n != 0 {
			t.Errorf("query_prepared called %d time(s) for a submitted msg", n)
		}
	})
	t.Run("DoAndSubmit", func(t *testing.T) {
		t.Parallel()
		p := newParticipant(t)
		gid := newGid("msg-do")
		msg, aBody, bBody := twoStepMsg(p, gid)
		var during string
		err := msg.DoAndSubmit(p.URL("/QueryPrepared"), func(bb *dtmcli.BranchBarrier) error {
			// The local transaction would run here; the msg must be prepared meanwhile.
			during = mustQuery(t, gid).status()
			return nil
		})
		requireNoError(t, "DoAndSubmit", err)
		if during != dtmcli.StatusPrepared {
			t.Errorf("status during the local transaction: %q, want prepared", during)
		}
		waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
		checkDelivered(t, p, gid, aBody, bBody)
	})
}

// (2) A prepared msg that is never submitted: after timeout_to_fail dtx asks query_prepared.
func TestMsgQueryPrepared(t *testing.T) {
	t.Parallel()
	prepare := func(t *testing.T, name string, replies ...Reply) (*Participant, string, string, string, time.Time) {
		p := newParticipant(t)
		gid := newGid(name)
		msg, aBody, bBody := twoStepMsg(p, gid)
		msg.TimeoutToFail = 2
		p.Script("/QueryPrepared", replies...)
		start := time.Now()
		requireNoError(t, "Prepare", msg.Prepare(p.URL("/QueryPrepared")))
		return p, gid, aBody, bBody, start
	}
	checkQP := func(t *testing.T, p *Participant, gid string, start time.Time, n int) {
		t.Helper()
		qps := p.Calls("/QueryPrepared")
		if len(qps) != n {
			t.Errorf("query_prepared called %d time(s), want %d:\n%s", len(qps), n, p.Describe())
		}
		for _, c := range qps {
			expectCall(t, c, "GET", gid, "msg", "00", "msg")
			if c.Body != "" {
				t.Errorf("query_prepared got a body %q, want none", c.Body)
			}
		}
		if len(qps) > 0 && qps[0].At.Sub(start) < 1500*time.Millisecond {
			t.Errorf("query_prepared called %s after Prepare, before timeout_to_fail (2 s)", qps[0].At.Sub(start))
		}
	}

	t.Run("SUCCESS delivers", func(t *testing.T) {
		t.Parallel()
		p, gid, aBody, bBody, start := prepare(t, "msg-qp-ok", Success)
		q := waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
		expectBranches(t, q, msgKeys2, []string{"succeed", "succeed"})
		checkQP(t, p, gid, start, 1)
		checkDelivered(t, p, gid, aBody, bBody)
		if a := p.Calls("/A"); len(a) > 0 && a[0].At.Before(p.Calls("/QueryPrepared")[0].Done) {
			t.Errorf("delivered before query_prepared answered")
		}
	})
	t.Run("FAILURE fails without delivery", func(t *testing.T) {
		t.Parallel()
		p, gid, _, _, start := prepare(t, "msg-qp-fail", Failure)
		q := waitStatus(t, gid, defaultWait, dtmcli.StatusFailed)
		expectBranches(t, q, msgKeys2, []string{"prepared", "prepared"})
		holdsFor(t, gid, "status failed", 1500*time.Millisecond, func(q *queryResult) bool { return q.status() == dtmcli.StatusFailed })
		checkQP(t, p, gid, start, 1)
		if n := len(p.Calls("/A", "/B")); n != 0 {
			t.Errorf("a failed msg was delivered:\n%s", p.Describe())
		}
	})
	t.Run("425 then 200 succeeds", func(t *testing.T) {
		t.Parallel()
		p, gid, aBody, bBody, start := prepare(t, "msg-qp-ongoing", Ongoing, Success)
		first := p.WaitAnswered("/QueryPrepared", 0, defaultWait)
		if len(p.Calls("/QueryPrepared")) == 1 {
			if q := mustQuery(t, gid); q.status() != dtmcli.StatusPrepared {
				t.Errorf("after query_prepared answered 425: status %q, want prepared (%s)", q.status(), q.raw)
			}
		}
		q := waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
		expectBranches(t, q, msgKeys2, []string{"succeed", "succeed"})
		checkQP(t, p, gid, start, 2)
		checkDelivered(t, p, gid, aBody, bBody)
		if qps := p.Calls("/QueryPrepared"); len(qps) == 2 {
			t.Logf("query_prepared asked again %s after ONGOING", qps[1].At.Sub(first.Done).Round(time.Millisecond))
		}
	})
}

// (3) A delayed msg stays submitted until its delay has passed, then it is delivered.
func TestMsgDelay(t *testing.T) {
	t.Parallel()
	const delay = 3
	run := func(t *testing.T, name string, prepareFirst bool) {
		p := newParticipant(t)
		gid := newGid(name)
		msg, aBody, bBody := twoStepMsg(p, gid)
		msg.SetDelay(delay)
		if prepareFirst {
			requireNoError(t, "Prepare", msg.Prepare(p.URL("/QueryPrepared")))
		}
		submitted := time.Now()
		requireNoError(t, "Submit", msg.Submit())
		holdsFor(t, gid, "status submitted and nothing delivered before the delay", delay*time.Second-700*time.Millisecond, func(q *queryResult) bool {
			return q.status() == dtmcli.StatusSubmitted && len(p.Calls("/A", "/B")) == 0
		})
		q := waitStatus(t, gid, 15*time.Second, dtmcli.StatusSucceed)
		expectBranches(t, q, msgKeys2, []string{"succeed", "succeed"})
		checkDelivered(t, p, gid, aBody, bBody)
		a := p.Calls("/A")[0]
		if d := a.At.Sub(submitted); d < delay*time.Second-500*time.Millisecond {
			t.Errorf("delivered %s after Submit, before the %d s delay", d, delay)
		} else {
			t.Logf("delivered %s after Submit (delay %d s)", d.Round(time.Millisecond), delay)
		}
		if n := len(p.Calls("/QueryPrepared")); n != 0 {
			t.Errorf("query_prepared called for a submitted msg")
		}
	}
	t.Run("Submit", func(t *testing.T) { t.Parallel(); run(t, "msg-delay", false) })
	t.Run("Prepare+Submit", func(t *testing.T) { t.Parallel(); run(t, "msg-delay-prepared", true) })
}

// (4) Abort of a prepared msg: failed, nothing delivered, no check-back.
func TestMsgAbort(t *testing.T) {
	t.Parallel()
	t.Run("DoAndSubmit with ErrFailure", func(t *testing.T) {
		t.Parallel()
		p := newParticipant(t)
		gid := newGid("msg-abort-client")
		msg, _, _ := twoStepMsg(p, gid)
		err := msg.DoAndSubmit(p.URL("/QueryPrepared"), func(bb *dtmcli.BranchBarrier) error {
			return dtmcli.ErrFailure // the local transaction decided to give up: the client aborts
		})
		if !errors.Is(err, dtmcli.ErrFailure) {
			t.Errorf("DoAndSubmit returned %v, want the business ErrFailure", err)
		}
		if ex := lastExchange(t, gid, "abort"); ex.Status != 200 || !strings.Contains(ex.Body, `"SUCCESS"`) {
			t.Errorf("abort answered %d %s, want 200 SUCCESS", ex.Status, ex.Body)
		}
		if n := len(exchanges(gid, "submit")); n != 0 {
			t.Errorf("client submitted an aborted msg")
		}
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusFailed {
			t.Errorf("after abort: status %q, want failed (%s)", q.status(), q.raw)
		}
		expectBranches(t, q, msgKeys2, []string{"prepared", "prepared"})
		holdsFor(t, gid, "status failed", 1500*time.Millisecond, func(q *queryResult) bool { return q.status() == dtmcli.StatusFailed })
		if n := len(p.Calls()); n != 0 {
			t.Errorf("participant called for an aborted msg:\n%s", p.Describe())
		}
	})
	t.Run("raw abort", func(t *testing.T) {
		t.Parallel()
		p := newParticipant(t)
		gid := newGid("msg-abort-raw")
		msg, _, _ := twoStepMsg(p, gid)
		requireNoError(t, "Prepare", msg.Prepare(p.URL("/QueryPrepared")))
		code, body := postDtx(t, "abort", map[string]string{"gid": gid, "trans_type": "msg"})
		if code != 200 || !strings.Contains(body, `"SUCCESS"`) {
			t.Errorf("POST abort answered %d %s, want 200 SUCCESS", code, body)
		}
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusFailed {
			t.Errorf("after abort: status %q, want failed (%s)", q.status(), q.raw)
		}
		// A Submit after the abort must be refused, and still nothing is delivered.
		if err := msg.Submit(); err == nil {
			t.Errorf("Submit of an aborted msg returned nil")
		} else if ex := lastExchange(t, gid, "submit"); ex.Status != 409 {
			t.Errorf("Submit of an aborted msg answered %d %s, want 409", ex.Status, ex.Body)
		}
		holdsFor(t, gid, "status failed", 1500*time.Millisecond, func(q *queryResult) bool { return q.status() == dtmcli.StatusFailed })
		if n := len(p.Calls()); n != 0 {
			t.Errorf("participant called for an aborted msg:\n%s", p.Describe())
		}
	})
}

// (5) A msg action answering FAILURE is retried, never rolled back; the msg then succeeds.
func TestMsgActionFailureIsRetried(t *testing.T) {
	t.Parallel()
	p := newParticipant(t)
	gid := newGid("msg-action-retry")
	msg, aBody, bBody := twoStepMsg(p, gid)
	p.Script("/A", Failure)

	requireNoError(t, "Submit", msg.Submit())
	p.WaitAnswered("/A", 0, 10*time.Second)
	if len(p.Calls("/A")) == 1 {
		q := mustQuery(t, gid)
		if q.status() != dtmcli.StatusSubmitted {
			t.Errorf("after the action answered FAILURE: status %q, want submitted (%s)", q.status(), q.raw)
		}
		if n := len(p.Calls("/B")); n != 0 {
			t.Errorf("second action called although the first has not succeeded")
		}
	}
	q := waitStatus(t, gid, defaultWait, dtmcli.StatusSucceed)
	expectBranches(t, q, msgKeys2, []string{"succeed", "succeed"})
	expectStrings(t, "participant calls", p.Paths(), []string{"/A", "/A", "/B"})
	calls := p.Calls()
	if len(calls) == 3 {
		expectCall(t, calls[1], "POST", gid, "msg", "01", "action")
		if calls[1].Body != aBody || calls[2].Body != bBody {
			t.Errorf("bodies %q, %q; want %q, %q", calls[1].Body, calls[2].Body, aBody, bBody)
		}
	}
}

// (6) dtmcli.MustGenGid gets a gid from dtx that works for a new transaction.
func TestMustGenGid(t *testing.T) {
	t.Parallel()
	installTap()
	g1 := dtmcli.MustGenGid(dtmServer)
	g2 := dtmcli.MustGenGid(dtmServer)
	if g1 == "" || g2 == "" || g1 == g2 {
		t.Fatalf("MustGenGid gave %q and %q; want two distinct non-empty gids", g1, g2)
	}
	if strings.ContainsAny(g1, " ;\r\n") {
		t.Errorf("gid %q has characters DTM would escape", g1)
	}
	p := newParticipant(t)
	msg, aBody, bBody := twoStepMsg(p, g1)
	requireNoError(t, "Submit without Prepare", msg.Submit())
	q := waitStatus(t, g1, defaultWait, dtmcli.StatusSucceed)
	if q.Transaction.Gid != g1 {
		t.Errorf("query returned gid %q, want %q", q.Transaction.Gid, g1)
	}
	checkDelivered(t, p, g1, aBody, bBody)
}
