package conformance

// A scripted participant service: a real HTTP server on 127.0.0.1 that records every call the
// coordinator makes and answers each path from a script.

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reply is one scripted answer of a participant.
type Reply int

const (
	Success  Reply = iota // 200 {"dtm_result":"SUCCESS"}
	Failure               // 409 {"dtm_result":"FAILURE"}
	Ongoing               // 425 {"dtm_result":"ONGOING"}
	Error500              // 500 with a body that says neither FAILURE nor ONGOING
)

func (r Reply) String() string {
	switch r {
	case Success:
		return "SUCCESS"
	case Failure:
		return "FAILURE"
	case Ongoing:
		return "ONGOING"
	case Error500:
		return "500"
	}
	return fmt.Sprintf("Reply(%d)", int(r))
}

type scripted struct {
	reply Reply
	hold  chan struct{} // non-nil: wait until closed before answering
}

// Call is one request the participant received.
type Call struct {
	Method    string
	Path      string
	RawQuery  string
	Gid       string
	TransType string
	BranchID  string
	Op        string
	Header    http.Header
	Body      string
	At        time.Time // when the request arrived
	Done      time.Time // when the answer was written (zero while held)
	Reply     Reply
}

// Participant is the recording, scripted HTTP service.
type Participant struct {
	t       *testing.T
	base    string
	srv     *http.Server
	mu      sync.Mutex
	calls   []*Call
	scripts map[string][]scripted
	closing chan struct{}
}

// newParticipant starts a participant on a random loopback port; it is closed when the test ends.
func newParticipant(t *testing.T) *Participant {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("participant listen: %v", err)
	}
	p := &Participant{
		t:       t,
		base:    "http://" + l.Addr().String(),
		scripts: map[string][]scripted{},
		closing: make(chan struct{}),
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(l) }()
	t.Cleanup(func() {
		close(p.closing) // releases held calls
		_ = p.srv.Close()
	})
	return p
}

// URL is the absolute URL of a path on this participant.
func (p *Participant) URL(path string) string { return p.base + path }

// Script queues answers for a path; once the queue is used up the path answers Success.
func (p *Participant) Script(path string, replies ...Reply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range replies {
		p.scripts[path] = append(p.scripts[path], scripted{reply: r})
	}
}

// Hold queues one answer for a path that is given only after release is called.
func (p *Participant) Hold(path string, reply Reply) (release func()) {
	ch := make(chan struct{})
	p.mu.Lock()
	p.scripts[path] = append(p.scripts[path], scripted{reply: reply, hold: ch})
	p.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

func (p *Participant) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	c := &Call{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		Gid:       q.Get("gid"),
		TransType: q.Get("trans_type"),
		BranchID:  q.Get("branch_id"),
		Op:        q.Get("op"),
		Header:    r.Header.Clone(),
		Body:      string(body),
		At:        time.Now(),
	}
	p.mu.Lock()
	p.calls = append(p.calls, c)
	next := scripted{reply: Success}
	if queue := p.scripts[r.URL.Path]; len(queue) > 0 {
		next = queue[0]
		p.scripts[r.URL.Path] = queue[1:]
	}
	c.Reply = next.reply
	p.mu.Unlock()

	if next.hold != nil {
		select {
		case <-next.hold:
		case <-p.closing:
		case <-r.Context().Done():
		}
	}

	status, text := http.StatusOK, `{"dtm_result":"SUCCESS"}`
	switch next.reply {
	case Failure:
		status, text = http.StatusConflict, `{"dtm_result":"FAILURE"}`
	case Ongoing:
		status, text = http.StatusTooEarly, `{"dtm_result":"ONGOING"}`
	case Error500:
		status, text = http.StatusInternalServerError, `{"message":"participant scripted to answer 500"}`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)

	p.mu.Lock()
	c.Done = time.Now()
	p.mu.Unlock()
}

// Calls returns copies of the recorded calls, optionally only those of the given paths, in
// arrival order.
func (p *Participant) Calls(paths ...string) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Call
	for _, c := range p.calls {
		if len(paths) > 0 && !contains(paths, c.Path) {
			continue
		}
		out = append(out, *c)
	}
	return out
}

// WaitCalls waits until at least n calls of path arrived and returns them.
func (p *Participant) WaitCalls(path string, n int, timeout time.Duration) []Call {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		calls := p.Calls(path)
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for %d call(s) of %s, got %d; all calls so far:\n%s", timeout, n, path, len(calls), p.Describe())
		}
		time.Sleep(pollEvery / 2)
	}
}

// WaitAnswered waits until call number i (0-based) of path has been answered and returns it.
func (p *Participant) WaitAnswered(path string, i int, timeout time.Duration) Call {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		calls := p.Calls(path)
		if len(calls) > i && !calls[i].Done.IsZero() {
			return calls[i]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for call #%d of %s to be answered; all calls so far:\n%s", timeout, i, path, p.Describe())
		}
		time.Sleep(pollEvery / 2)
	}
}

// Paths lists the paths of all calls in arrival order.
func (p *Participant) Paths() []string {
	var out []string
	for _, c := range p.Calls() {
		out = append(out, c.Path)
	}
	return out
}

// Describe renders the call log for failure messages.
func (p *Participant) Describe() string {
	var sb strings.Builder
	for i, c := range p.Calls() {
		fmt.Fprintf(&sb, "  #%d %s %s?%s body=%q -> %s at %s\n", i, c.Method, c.Path, c.RawQuery, c.Body, c.Reply, c.At.Format("15:04:05.000"))
	}
	if sb.Len() == 0 {
		return "  (none)\n"
	}
	return sb.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expectCall checks the coordinator's query parameters and method on one call.
func expectCall(t *testing.T, c Call, method, gid, transType, branchID, op string) {
	t.Helper()
	if c.Method != method || c.Gid != gid || c.TransType != transType || c.BranchID != branchID || c.Op != op {
		t.Errorf("call %s: got method=%s gid=%q trans_type=%q branch_id=%q op=%q (query %q); want method=%s gid=%q trans_type=%q branch_id=%q op=%q",
			c.Path, c.Method, c.Gid, c.TransType, c.BranchID, c.Op, c.RawQuery, method, gid, transType, branchID, op)
	}
}
