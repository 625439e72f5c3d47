package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// dtxProcess is the coordinator under test started as its own process: dtx from its jar, as an operator runs it,
// or (for comparison) a DTM server binary.
type dtxProcess struct {
	cmd     *exec.Cmd
	baseURL string
	logPath string
}

// serverSetup is what starting either coordinator needs: a free HTTP port and the database's address and password.
func serverSetup(dbURL string) (int, *url.URL, string, error) {
	port, err := freePort()
	if err != nil {
		return 0, nil, "", err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return 0, nil, "", err
	}
	password, _ := u.User.Password()
	return port, u, password, nil
}

func startDtx(ctx context.Context, o options, dbURL string) (*dtxProcess, error) {
	port, u, password, err := serverSetup(dbURL)
	if err != nil {
		return nil, err
	}
	args := append(strings.Fields(o.javaOpts), "-jar", o.jar)
	cmd := exec.Command("java", args...)
	cmd.Env = append(cleanEnv(),
		"MALLOC_ARENA_MAX=2", // as the README recommends: fewer glibc arenas, less resident memory
		"QUARKUS_HTTP_PORT="+strconv.Itoa(port),
		fmt.Sprintf("DTX_DB_URL=postgresql://%s%s", u.Host, u.Path),
		"DTX_DB_USER="+u.User.Username(),
		"DTX_DB_PASSWORD="+password)
	if err := os.MkdirAll(filepath.Dir(o.dtxLog), 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(o.dtxLog)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dtx: %w", err)
	}
	p := &dtxProcess{cmd: cmd, baseURL: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: o.dtxLog}
	return p, p.awaitReady("/q/health/ready")
}

// startDTM starts a DTM server binary on the same PostgreSQL (its -r flag creates DTM's tables from the sqls
// folder of its sources, hence the working directory), for the comparison table.
func startDTM(ctx context.Context, o options, dbURL string) (*dtxProcess, error) {
	port, u, password, err := serverSetup(dbURL)
	if err != nil {
		return nil, err
	}
	grpcPort, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.dtmBin, "-r")
	cmd.Dir = o.dtmDir
	cmd.Env = append(cleanEnv(),
		"STORE_DRIVER=postgres", "STORE_HOST="+u.Hostname(), "STORE_PORT="+portOf(u),
		"STORE_USER="+u.User.Username(), "STORE_PASSWORD="+password, "STORE_DB="+strings.TrimPrefix(u.Path, "/"),
		"STORE_SCHEMA=public", "HTTP_PORT="+strconv.Itoa(port), "GRPC_PORT="+strconv.Itoa(grpcPort),
		"LOG_LEVEL=warn",
		// the same pool size as dtx's: DTM's default (500) exceeds PostgreSQL's default max_connections
		"STORE_MAX_OPEN_CONNS=32", "STORE_MAX_IDLE_CONNS=32")
	logPath := strings.TrimSuffix(o.dtxLog, ".log") + "-dtm.log"
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dtm: %w", err)
	}
	p := &dtxProcess{cmd: cmd, baseURL: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: logPath}
	return p, p.awaitReady("/api/ping")
}

func (p *dtxProcess) awaitReady(path string) error {
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		r, err := http.Get(p.baseURL + path)
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
		if p.cmd.ProcessState != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.Stop()
	return fmt.Errorf("%s not ready; see %s", p.cmd.Path, p.logPath)
}

func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DTX_") && !strings.HasPrefix(kv, "QUARKUS_") {
			out = append(out, kv)
		}
	}
	return out
}

func (p *dtxProcess) Stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// CPUSeconds is the user+system CPU time dtx has used so far (clock ticks of 1/100 s).
func (p *dtxProcess) CPUSeconds() float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}

func (p *dtxProcess) status(field string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// RSSMiB is dtx's resident set now; PeakRSSMiB its high-water mark.
func (p *dtxProcess) RSSMiB() float64     { return p.status("VmRSS") }
func (p *dtxProcess) PeakRSSMiB() float64 { return p.status("VmHWM") }

// BlockedWarnings counts Vert.x blocked-thread warnings in dtx's log.
func (p *dtxProcess) BlockedWarnings() int {
	raw, err := os.ReadFile(p.logPath)
	if err != nil {
		return -1
	}
	return strings.Count(string(raw), "has been blocked for")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
