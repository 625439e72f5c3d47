// Command bench measures dtx end to end on one machine: it starts dtx from the packaged jar against a PostgreSQL,
// runs a participant service on loopback that answers 200 at once, drives each workload from this process (closed
// loop with a fixed number of clients, or open loop at a fixed offered rate), and compares dtx with the bound
// pgbench reaches running dtx's own statements at the same concurrency. See docs/benchmarks.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"
)

type options struct {
	jar         string
	javaOpts    string
	dbURL       string
	pgBin       string
	workloads   string
	clients     int
	waitClients int
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	recoveryN   int
	out         string
	smoke       bool
	dtxLog      string
	repeat      int
}

func main() {
	var o options
	flag.StringVar(&o.jar, "jar", "target/quarkus-app/quarkus-run.jar", "dtx packaged jar")
	flag.StringVar(&o.javaOpts, "java-opts", "", "extra JVM options for dtx, space separated")
	flag.StringVar(&o.dbURL, "db", "postgres://dtxbench:dtxbench@127.0.0.1:5432/dtxbench",
		"PostgreSQL URL of a role that may create databases; each run gets fresh databases")
	flag.StringVar(&o.pgBin, "pg-bin", "/usr/lib/postgresql/15/bin", "folder of pgbench")
	flag.StringVar(&o.workloads, "workloads", "saga2,saga2-open,saga2-wait,msg2,recovery,bound",
		"comma-separated workloads to run")
	flag.IntVar(&o.clients, "clients", 64, "concurrent clients of the closed-loop workloads")
	flag.IntVar(&o.waitClients, "wait-clients", 10, "concurrent clients of saga2-wait")
	flag.Float64Var(&o.rate, "rate", 2000, "offered rate of saga2-open, per second")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "measured window of each workload")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "load before each measured window")
	flag.IntVar(&o.recoveryN, "recovery-n", 10000, "sagas accepted while the participant is down")
	flag.StringVar(&o.out, "out", "", "markdown report to write (empty: standard output only)")
	flag.BoolVar(&o.smoke, "smoke", false, "tiny numbers, to check the benchmark still works")
	flag.StringVar(&o.dtxLog, "dtx-log", "target/bench-dtx.log", "where dtx's output goes")
	flag.IntVar(&o.repeat, "repeat", 3, "runs of each workload; the report gives medians")
	flag.Parse()
	if o.smoke {
		o.duration, o.warmup, o.recoveryN, o.rate, o.clients, o.repeat = 2*time.Second, time.Second, 200, 200, 16, 1
	}
	if err := run(context.Background(), o); err != nil {
		log.Fatalf("bench: %v", err)
	}
}

func run(ctx context.Context, o options) error {
	env, err := describeMachine(ctx, o)
	if err != nil {
		return err
	}
	admin, err := connect(ctx, o.dbURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", o.dbURL, err)
	}
	defer admin.Close(ctx)
	runDB, err := freshDatabase(ctx, admin, "dtxbench_run")
	if err != nil {
		return err
	}
	part, err := startParticipant()
	if err != nil {
		return err
	}
	defer part.Close()
	dtx, err := startDtx(ctx, o, withDatabase(o.dbURL, runDB))
	if err != nil {
		return err
	}
	defer dtx.Stop()
	db, err := connect(ctx, withDatabase(o.dbURL, runDB))
	if err != nil {
		return err
	}
	defer db.Close(ctx)

	b := &bench{o: o, dtx: dtx, db: db, part: part}
	var results []result
	withBound := false
	for _, w := range strings.Split(o.workloads, ",") {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if w == "bound" {
			withBound = true // runs last, with dtx stopped, so that it has PostgreSQL to itself
			continue
		}
		var runs []result
		for i := 0; i < o.repeat; i++ {
			log.Printf("workload %s, run %d of %d", w, i+1, o.repeat)
			var r result
			switch w {
			case "saga2":
				r, err = b.closed("saga2", o.clients, sagaCalls(part, false))
			case "saga2-open":
				r, err = b.open("saga2", o.rate, sagaCalls(part, false))
			case "saga2-wait":
				r, err = b.closed("saga2-wait", o.waitClients, sagaCalls(part, true))
			case "msg2":
				r, err = b.closed("msg2", o.clients, msgCalls(part))
			case "recovery":
				r, err = b.recovery(o.recoveryN, o.clients)
			default:
				return fmt.Errorf("unknown workload %q", w)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", w, err)
			}
			log.Printf("%s", r.summary())
			runs = append(runs, r)
		}
		r := median(runs)
		log.Printf("%s", r.summary())
		results = append(results, r)
	}
	env.blocked = dtx.BlockedWarnings()
	env.peakRSS = dtx.PeakRSSMiB()
	dtx.Stop()
	if withBound {
		var runs []result
		for i := 0; i < o.repeat; i++ {
			log.Printf("workload bound, run %d of %d", i+1, o.repeat)
			r, err := pgbenchBound(ctx, o, admin)
			if err != nil {
				return fmt.Errorf("bound: %w", err)
			}
			log.Printf("%s", r.summary())
			runs = append(runs, r)
		}
		results = append(results, median(runs))
	}
	report := render(env, o, results)
	fmt.Println(report)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", o.out)
	}
	return nil
}
