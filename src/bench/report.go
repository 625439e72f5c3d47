package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

type result struct {
	name, mode           string
	clients              int
	rate                 float64
	completed            int64
	window               float64
	tps                  float64
	clientP50, clientP99 time.Duration
	finishP50, finishP99 time.Duration
	commitsPerTx         float64
	writeTxPerTx         float64
	cpuPer1000           float64
	rssMiB               float64
	errors               int64
	unfinished           int64
	runs                 int
	acceptedPerSec       float64
	tpsMin, tpsMax       float64
}

// median combines repeated runs: each figure is the median of the runs' figures; the spread of completed/s is kept.
func median(runs []result) result {
	m := runs[0]
	m.runs = len(runs)
	pick := func(get func(result) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	dur := func(get func(result) time.Duration) time.Duration {
		return time.Duration(pick(func(r result) float64 { return float64(get(r)) }))
	}
	m.tps = pick(func(r result) float64 { return r.tps })
	m.acceptedPerSec = pick(func(r result) float64 { return r.acceptedPerSec })
	m.completed = int64(pick(func(r result) float64 { return float64(r.completed) }))
	m.window = pick(func(r result) float64 { return r.window })
	m.clientP50 = dur(func(r result) time.Duration { return r.clientP50 })
	m.clientP99 = dur(func(r result) time.Duration { return r.clientP99 })
	m.finishP50 = dur(func(r result) time.Duration { return r.finishP50 })
	m.finishP99 = dur(func(r result) time.Duration { return r.finishP99 })
	m.commitsPerTx = pick(func(r result) float64 { return r.commitsPerTx })
	m.writeTxPerTx = pick(func(r result) float64 { return r.writeTxPerTx })
	m.cpuPer1000 = pick(func(r result) float64 { return r.cpuPer1000 })
	m.rssMiB = pick(func(r result) float64 { return r.rssMiB })
	m.tpsMin, m.tpsMax, m.errors = runs[0].tps, runs[0].tps, 0
	for _, r := range runs {
		m.errors += r.errors
		m.tpsMin = math.Min(m.tpsMin, r.tps)
		m.tpsMax = math.Max(m.tpsMax, r.tps)
	}
	return m
}

func (r result) summary() string {
	return fmt.Sprintf("%s (%s): %.0f tx/s (%.0f/s answered), client p50 %s p99 %s, finish p50 %s p99 %s, %.2f commits/tx, "+
		"%.2f cpu-s/1000, rss %.0f MiB, errors %d", r.name, r.mode, r.tps, r.acceptedPerSec, ms(r.clientP50), ms(r.clientP99),
		ms(r.finishP50), ms(r.finishP99), r.commitsPerTx, r.cpuPer1000, r.rssMiB, r.errors)
}

type machine struct {
	cpu, cores, memory, kernel, postgres, java, goVersion string
	blocked                                               int
	peakRSS                                               float64
}

func describeMachine(ctx context.Context, o options) (machine, error) {
	m := machine{cores: fmt.Sprint(runtime.NumCPU()), goVersion: runtime.Version()}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "model name") {
				m.cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.memory = strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(raw), "\n", 2)[0], "MemTotal:"))
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		m.java = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	if c, err := connect(ctx, o.dbURL); err == nil {
		_ = c.QueryRow(ctx, "SELECT version()").Scan(&m.postgres)
		var fsync, sync string
		_ = c.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync)
		m.postgres += fmt.Sprintf(" (fsync=%s, synchronous_commit=%s)", fsync, sync)
		c.Close(ctx)
	}
	return m, nil
}

func ms(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func render(m machine, o options, rs []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Run of %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %s, %s cores, %s, Linux %s. %s. %s. Load generator: %s.\n\n", m.cpu, m.cores,
		m.memory, m.kernel, m.postgres, m.java, m.goVersion)
	fmt.Fprintf(&b, "Each figure is the median of %d runs. ", o.repeat)
	fmt.Fprintf(&b, "Settings: warm-up %s then a measured window of %s per workload; closed loop %d clients "+
		"(saga2-wait %d); open loop %.0f/s offered; recovery %d sagas. dtx JVM options: `%s` with `MALLOC_ARENA_MAX=2`.\n\n",
		o.warmup, o.duration, o.clients, o.waitClients, o.rate, o.recoveryN, o.javaOpts)
	b.WriteString("| workload | load | completed/s (min–max) | answered/s | client p50 / p99 | submit→finished p50 / p99 | " +
		"commits per tx (write tx) | CPU s per 1000 tx | RSS | errors |\n|---|---|---|---|---|---|---|---|---|---|\n")
	var bound, saga2 float64
	dtmHeader := false
	for _, r := range rs {
		switch r.name {
		case "bound":
			bound = r.tps
			fmt.Fprintf(&b, "| bound | %s | %.0f (%.0f–%.0f) | – | – | – | %.0f | – | – | – |\n", r.mode, r.tps,
				r.tpsMin, r.tpsMax, r.commitsPerTx)
			continue
		case "saga2":
			if r.rate == 0 {
				saga2 = r.tps
			}
		}
		if strings.HasPrefix(r.name, "DTM ") && !dtmHeader {
			dtmHeader = true
			b.WriteString("| **DTM v1.19.0, same PostgreSQL, same load** | | | | | | | | | |\n")
		}
		answered := "–"
		if r.acceptedPerSec > 0 {
			answered = fmt.Sprintf("%.0f", r.acceptedPerSec)
		}
		finish := fmt.Sprintf("%s / %s", ms(r.finishP50), ms(r.finishP99))
		if strings.HasPrefix(r.name, "DTM ") {
			finish = "(whole seconds) " + finish
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f (%.0f–%.0f) | %s | %s / %s | %s | %.2f (%.2f) | %.2f | %.0f MiB | %d |\n",
			r.name, r.mode, r.tps, r.tpsMin, r.tpsMax, answered, ms(r.clientP50), ms(r.clientP99), finish,
			r.commitsPerTx, r.writeTxPerTx, r.cpuPer1000, r.rssMiB, r.errors)
	}
	if bound > 0 && saga2 > 0 {
		fmt.Fprintf(&b, "\nsaga2 (closed loop) / bound: **%.2f**.\n", saga2/bound)
	}
	fmt.Fprintf(&b, "\nPeak dtx RSS %.0f MiB; Vert.x blocked-thread warnings in dtx's log: %d.\n", m.peakRSS, m.blocked)
	return b.String()
}
