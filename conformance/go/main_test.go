package conformance

// Process management for the coordinator under test and helpers to read its state.
//
// TestMain starts dtx from the packaged jar with a fresh embedded PostgreSQL, waits until it is
// ready, runs the tests and stops it with SIGTERM. Every test talks to it only through the
// unmodified Go DTM client and through GET /api/dtmsvr/query.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	defaultPort   = "36789"
	readyTimeout  = 90 * time.Second
	stopTimeout   = 30 * time.Second
	pollEvery     = 100 * time.Millisecond
	defaultWait   = 30 * time.Second
	logTailLines  = 80
	envJar        = "DTX_JAR"
	envPort       = "CONFORMANCE_DTX_PORT"
	defaultJarRel = "../../target/quarkus-app/quarkus-run.jar"
)

var (
	// dtmServer is what the DTM client is given: the base of the dtmsvr routes.
	dtmServer string
	// dtxBase is http://127.0.0.1:<port>.
	dtxBase string
	// dtxLogPath is the file dtx's stdout and stderr go to.
	dtxLogPath string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	port := os.Getenv(envPort)
	if port == "" {
		port = defaultPort
	}
	dtxBase = "http://127.0.0.1:" + port
	dtmServer = dtxBase + "/api/dtmsvr"

	jar := os.Getenv(envJar)
	if jar == "" {
		jar = defaultJarRel
	}
	jar, err := filepath.Abs(jar)
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: bad %s: %v\n", envJar, err)
		return 2
	}
	if _, err := os.Stat(jar); err != nil {
		fmt.Fprintf(os.Stderr, "conformance: dtx jar not found at %s (set %s): %v\n", jar, envJar, err)
		return 2
	}

	// Refuse to run against whatever else may be listening: the readiness probe would succeed
	// against a foreign process and every test would then test the wrong server.
	if l, err := net.Listen("tcp", ":"+port); err != nil {
		fmt.Fprintf(os.Stderr, "conformance: port %s is already in use (%v); stop the other process or set %s\n", port, err, envPort)
		return 2
	} else {
		_ = l.Close()
	}

	tmp, err := os.MkdirTemp("", "dtx-conformance-go-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
		return 2
	}
	dtxLogPath = filepath.Join(tmp, "dtx.log")
	logFile, err := os.Create(dtxLogPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
		return 2
	}
	defer logFile.Close()

	java := "java"
	if home := os.Getenv("JAVA_HOME"); home != "" {
		if _, err := os.Stat(filepath.Join(home, "bin", "java")); err == nil {
			java = filepath.Join(home, "bin", "java")
		}
	}
	cmd := exec.Command(java, "-jar", jar)
	cmd.Dir = tmp
	cmd.Env = append(childEnv(),
		"QUARKUS_HTTP_PORT="+port,
		"DTX_EMBEDDED_DATA_DIR="+filepath.Join(tmp, "data"),
		"DTX_RECOVERY_POLL_INTERVAL=1s",
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Own process group, so that a hard kill also reaches the embedded PostgreSQL.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "conformance: cannot start %s -jar %s: %v\n", java, jar, err)
		return 2
	}
	proc := &child{cmd: cmd, done: make(chan struct{})}
	go func() {
		proc.err = cmd.Wait()
		close(proc.done)
	}()

	fmt.Fprintf(os.Stderr, "conformance: started dtx (pid %d) from %s, log %s\n", cmd.Process.Pid, jar, dtxLogPath)
	if err := waitReady(proc); err != nil {
		proc.stop()
		fmt.Fprintf(os.Stderr, "conformance: dtx did not become ready: %v\nconformance: dtx log: %s\n%s\n", err, dtxLogPath, logTail())
		return 2
	}

	installTap()
	code := m.Run()

	proc.stop()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "conformance: tests failed; dtx log: %s\n%s\n", dtxLogPath, logTail())
	} else {
		_ = os.RemoveAll(tmp)
	}
	return code
}

// childEnv is this process's environment without any DTX_* or QUARKUS_* variable.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name := strings.ToUpper(strings.SplitN(kv, "=", 2)[0])
		if strings.HasPrefix(name, "DTX_") || strings.HasPrefix(name, "QUARKUS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// child is the running dtx process; done is closed when it has exited.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func waitReady(proc *child) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-proc.done:
			return fmt.Errorf("dtx exited before it was ready: %v", proc.err)
		default:
		}
		resp, err := client.Get(dtxBase + "/q/health/ready")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from /q/health/ready within %s (last: %s)", readyTimeout, last)
}

// stop sends SIGTERM and waits; if dtx has not exited after stopTimeout its process group
// (dtx and its embedded PostgreSQL) is killed.
func (c *child) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(stopTimeout):
		fmt.Fprintf(os.Stderr, "conformance: dtx did not stop within %s after SIGTERM; killing its process group\n", stopTimeout)
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
}

func logTail() string {
	f, err := os.Open(dtxLogPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > logTailLines {
			lines = lines[1:]
		}
	}
	return "---- last lines of dtx log ----\n" + strings.Join(lines, "\n") + "\n---- end of dtx log ----"
}

// ---------------------------------------------------------------------------------------------
// GET /api/dtmsvr/query

type txnInfo struct {
	Gid            string `json:"gid"`
	TransType      string `json:"trans_type"`
	Status         string `json:"status"`
	QueryPrepared  string `json:"query_prepared"`
	Protocol       string `json:"protocol"`
	RollbackReason string `json:"rollback_reason"`
	CustomData     string `json:"custom_data"`
	Options        string `json:"options"`
	CreateTime     string `json:"create_time"`
	FinishTime     string `json:"finish_time"`
	RollbackTime   string `json:"rollback_time"`
}

type branchInfo struct {
	Gid      string `json:"gid"`
	URL      string `json:"url"`
	BinData  []byte `json:"bin_data"` // base64 in JSON
	BranchID string `json:"branch_id"`
	Op       string `json:"op"`
	Status   string `json:"status"`
	Attempts *int   `json:"attempts"` // a dtx extra; absent from DTM
}

type queryResult struct {
	Transaction *txnInfo     `json:"transaction"`
	Branches    []branchInfo `json:"branches"`
	raw         string
}

func (q *queryResult) status() string {
	if q.Transaction == nil {
		return ""
	}
	return q.Transaction.Status
}

// branchStatuses lists the branch statuses in the order the server returned them.
func (q *queryResult) branchStatuses() []string {
	out := make([]string, 0, len(q.Branches))
	for _, b := range q.Branches {
		out = append(out, b.Status)
	}
	return out
}

// branchKeys lists "branch_id/op" in the order the server returned them.
func (q *queryResult) branchKeys() []string {
	out := make([]string, 0, len(q.Branches))
	for _, b := range q.Branches {
		out = append(out, b.BranchID+"/"+b.Op)
	}
	return out
}

var queryClient = &http.Client{Timeout: 5 * time.Second}

func fetchQuery(gid string) (*queryResult, error) {
	resp, err := queryClient.Get(dtmServer + "/query?gid=" + url.QueryEscape(gid))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("query %s: HTTP %d %s", gid, resp.StatusCode, body)
	}
	q := &queryResult{raw: string(body)}
	if err := json.Unmarshal(body, q); err != nil {
		return nil, fmt.Errorf("query %s: cannot decode %q: %v", gid, body, err)
	}
	return q, nil
}

func mustQuery(t *testing.T, gid string) *queryResult {
	t.Helper()
	q, err := fetchQuery(gid)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return q
}

// waitQuery polls query until cond holds, failing the test after timeout with the last answer.
func waitQuery(t *testing.T, gid, what string, timeout time.Duration, cond func(*queryResult) bool) *queryResult {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *queryResult
	var lastErr error
	for {
		q, err := fetchQuery(gid)
		if err == nil {
			last, lastErr = q, nil
			if cond(q) {
				return q
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				t.Fatalf("gid %s: waited %s for %s; last query error: %v", gid, timeout, what, lastErr)
			}
			t.Fatalf("gid %s: waited %s for %s; last query answer: %s", gid, timeout, what, last.raw)
		}
		time.Sleep(pollEvery)
	}
}

// waitStatus waits until the global status is one of the given values.
func waitStatus(t *testing.T, gid string, timeout time.Duration, want string) *queryResult {
	t.Helper()
	return waitQuery(t, gid, "status "+want, timeout, func(q *queryResult) bool { return q.status() == want })
}

// holdsFor checks cond on every poll for the whole duration (for "stays in state X" assertions).
func holdsFor(t *testing.T, gid, what string, d time.Duration, cond func(*queryResult) bool) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		q := mustQuery(t, gid)
		if !cond(q) {
			t.Fatalf("gid %s: expected %s for %s, but query answered: %s", gid, what, d, q.raw)
		}
		time.Sleep(pollEvery)
	}
}

// postDtx posts raw JSON to a dtmsvr route (for what the Go client does not expose).
func postDtx(t *testing.T, route string, body interface{}) (int, string) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := queryClient.Post(dtmServer+"/"+route, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", route, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(rb)
}

// ---------------------------------------------------------------------------------------------
// small assertion helpers

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func expectStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !equalStrings(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func expectBranches(t *testing.T, q *queryResult, keys, statuses []string) {
	t.Helper()
	expectStrings(t, "branches (branch_id/op, in query order)", q.branchKeys(), keys)
	expectStrings(t, "branch statuses", q.branchStatuses(), statuses)
	if t.Failed() {
		t.Logf("query answer: %s", q.raw)
	}
}

func requireNoError(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}
