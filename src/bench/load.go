package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

type bench struct {
	o    options
	dtx  *dtxProcess
	db   *pgx.Conn
	part *participant
}

// call is one request of a client transaction; a transaction is one or more calls made in order.
type call struct {
	path string
	body []byte
}

type txFactory func(gid string) []call

func sagaCalls(p *participant, wait bool) txFactory {
	template := fmt.Sprintf(`{"gid":"%%s","trans_type":"saga","wait_result":%t,"steps":[`+
		`{"action":"%s","compensate":"%s"},{"action":"%s","compensate":"%s"}],`+
		`"payloads":["{\"amount\":30}","{\"amount\":30}"]}`,
		wait, p.url("/TransOut"), p.url("/TransOutRevert"), p.url("/TransIn"), p.url("/TransInRevert"))
	return func(gid string) []call {
		return []call{{"/api/dtmsvr/submit", []byte(fmt.Sprintf(template, gid))}}
	}
}

func msgCalls(p *participant) txFactory {
	prepare := fmt.Sprintf(`{"gid":"%%s","trans_type":"msg","query_prepared":"%s","steps":[`+
		`{"action":"%s"},{"action":"%s"}],"payloads":["{\"amount\":30}","{\"amount\":30}"]}`,
		p.url("/QueryPrepared"), p.url("/TransOut"), p.url("/TransIn"))
	return func(gid string) []call {
		return []call{
			{"/api/dtmsvr/prepare", []byte(fmt.Sprintf(prepare, gid))},
			{"/api/dtmsvr/submit", []byte(fmt.Sprintf(`{"gid":"%s","trans_type":"msg"}`, gid))},
		}
	}
}

var client = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		MaxIdleConns:        4096,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	},
}

// do makes the calls of one transaction; false when any answer was not 200.
func (b *bench) do(calls []call) bool {
	for _, c := range calls {
		r, err := client.Post(b.dtx.baseURL+c.path, "application/json", bytes.NewReader(c.body))
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			return false
		}
	}
	return true
}

// latencies collects the client latencies of the transactions started in the measured window.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d)
	l.mu.Unlock()
}

func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.all) == 0 {
		return 0
	}
	sort.Slice(l.all, func(i, j int) bool { return l.all[i] < l.all[j] })
	return l.all[int(p*float64(len(l.all)-1))]
}

// closed runs `clients` clients, each starting its next transaction when the previous one is answered.
func (b *bench) closed(name string, clients int, mk txFactory) (result, error) {
	prefix := fmt.Sprintf("%s-%d-", name, time.Now().UnixNano())
	var lat latencies
	var errs, accepted atomic.Int64
	start := time.Now()
	windowStart, windowEnd := start.Add(b.o.warmup), start.Add(b.o.warmup+b.o.duration)
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for seq := 0; time.Now().Before(windowEnd); seq++ {
				t0 := time.Now()
				ok := b.do(mk(fmt.Sprintf("%s%d-%d", prefix, w, seq)))
				if !ok {
					errs.Add(1)
				}
				if t0.After(windowStart) && t0.Before(windowEnd) {
					lat.add(time.Since(t0))
					if ok {
						accepted.Add(1)
					}
				}
			}
		}(w)
	}
	r, err := b.measure(prefix, windowStart, windowEnd, func() { wg.Wait() })
	r.name, r.mode, r.clients = name, fmt.Sprintf("closed loop, %d clients", clients), clients
	r.acceptedPerSec = float64(accepted.Load()) / b.o.duration.Seconds()
	r.clientP50, r.clientP99, r.errors = lat.percentile(0.5), lat.percentile(0.99), errs.Load()
	return r, err
}

// open offers transactions at a fixed rate whatever the answers; latency counts from when a transaction was due, so
// a coordinator that falls behind shows it.
func (b *bench) open(name string, rate float64, mk txFactory) (result, error) {
	prefix := fmt.Sprintf("%s-open-%d-", name, time.Now().UnixNano())
	var lat latencies
	var errs atomic.Int64
	start := time.Now()
	windowStart, windowEnd := start.Add(b.o.warmup), start.Add(b.o.warmup+b.o.duration)
	due := make(chan time.Time, 1<<20)
	var wg sync.WaitGroup
	for w := 0; w < 1024; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			seq := 0
			for t := range due {
				seq++
				ok := b.do(mk(fmt.Sprintf("%s%d-%d", prefix, w, seq)))
				if !ok {
					errs.Add(1)
				}
				if t.After(windowStart) && t.Before(windowEnd) {
					lat.add(time.Since(t))
				}
			}
		}(w)
	}
	go func() {
		interval := time.Duration(float64(time.Second) / rate)
		for i := 0; ; i++ {
			t := start.Add(time.Duration(i) * interval)
			if t.After(windowEnd) {
				break
			}
			time.Sleep(time.Until(t))
			due <- t
		}
		close(due)
	}()
	r, err := b.measure(prefix, windowStart, windowEnd, func() { wg.Wait() })
	r.name, r.mode, r.rate = name, fmt.Sprintf("open loop, %.0f/s offered", rate), rate
	r.clientP50, r.clientP99, r.errors = lat.percentile(0.5), lat.percentile(0.99), errs.Load()
	return r, err
}

// measure takes the window's snapshots while the load runs, then waits for the load and its transactions to end.
func (b *bench) measure(prefix string, windowStart, windowEnd time.Time, waitLoad func()) (result, error) {
	ctx := context.Background()
	time.Sleep(time.Until(windowStart))
	s0, err := b.snapshot(ctx)
	if err != nil {
		return result{}, err
	}
	time.Sleep(time.Until(windowEnd))
	s1, err := b.snapshot(ctx)
	if err != nil {
		return result{}, err
	}
	rss := b.dtx.RSSMiB()
	waitLoad()
	open, err := b.awaitFinished(ctx, prefix, 60*time.Second)
	if err != nil {
		return result{}, err
	}
	return b.windowResult(ctx, prefix, s0, s1, rss, open)
}

func (b *bench) windowResult(ctx context.Context, prefix string, s0, s1 snapshot, rss float64, open int64) (result, error) {
	done, err := b.finishedBetween(ctx, prefix, s0.dbTime, s1.dbTime)
	if err != nil {
		return result{}, err
	}
	p50, p99, err := b.finishLatency(ctx, prefix, s0.dbTime, s1.dbTime)
	if err != nil {
		return result{}, err
	}
	window := s1.dbTime.Sub(s0.dbTime).Seconds()
	r := result{completed: done, window: window, tps: float64(done) / window, finishP50: p50, finishP99: p99,
		rssMiB: rss, unfinished: open}
	if done > 0 {
		r.commitsPerTx = float64(s1.xactCommit-s0.xactCommit) / float64(done)
		r.writeTxPerTx = float64(s1.nextXid-s0.nextXid) / float64(done)
		r.cpuPer1000 = (s1.cpuSeconds - s0.cpuSeconds) / float64(done) * 1000
	}
	return r, nil
}

// recovery accepts n sagas while the participant is down, brings it back, makes them due at once (resetCronTime,
// the operator's tool after an outage) and times until all have succeeded.
func (b *bench) recovery(n, clients int) (result, error) {
	ctx := context.Background()
	prefix := fmt.Sprintf("recovery-%d-", time.Now().UnixNano())
	mk := sagaCalls(b.part, false)
	b.part.Down()
	var next atomic.Int64
	var errs atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				if !b.do(mk(fmt.Sprintf("%s%d", prefix, i))) {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// every saga has had its first round (branch refused) and waits for its retry
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		var pending int64
		if err := b.db.QueryRow(ctx, `SELECT count(*) FROM trans_global WHERE gid LIKE $1 AND owner = ''
			AND status = 'submitted'`, prefix+"%").Scan(&pending); err != nil {
			return result{}, err
		}
		if pending == int64(n) {
			break
		}
	}
	if err := b.part.Up(); err != nil {
		return result{}, err
	}
	s0, err := b.snapshot(ctx)
	if err != nil {
		return result{}, err
	}
	r, err := client.Get(fmt.Sprintf("%s/api/dtmsvr/resetCronTime?timeout=0&limit=%d", b.dtx.baseURL, n))
	if err != nil {
		return result{}, err
	}
	r.Body.Close()
	open, err := b.awaitFinished(ctx, prefix, 10*time.Minute)
	if err != nil {
		return result{}, err
	}
	s1, err := b.snapshot(ctx)
	if err != nil {
		return result{}, err
	}
	var last time.Time
	if err := b.db.QueryRow(ctx, `SELECT max(finish_time) FROM trans_global WHERE gid LIKE $1`, prefix+"%").Scan(&last); err != nil {
		return result{}, err
	}
	s1.dbTime = last.Add(time.Microsecond)
	res, err := b.windowResult(ctx, prefix, s0, s1, b.dtx.RSSMiB(), open)
	res.name, res.mode, res.clients, res.errors = "recovery", fmt.Sprintf("%d sagas pending, then participant back", n), clients, errs.Load()
	log.Printf("recovery: %d sagas drained in %.2fs", res.completed, res.window)
	return res, err
}
