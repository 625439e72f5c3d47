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
	"math"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
	dtmBin      string
	dtmDir      string
}

func main() {
	var o options
	flag.StringVar(&o.jar, "jar", "target/quarkus-app/quarkus-run.jar", "dtx packaged jar")
	flag.StringVar(&o.javaOpts, "java-opts", "-Xmx80m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=64m",
		"JVM options for dtx, space separated (default: the README's recommended ones)")
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
	flag.StringVar(&o.dtmBin, "dtm", "", "a DTM server binary to run the same workloads against, for comparison")
	flag.StringVar(&o.dtmDir, "dtm-dir", "", "DTM's source folder (holds sqls/, from which dtm -r creates its tables)")
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
	part, err := startParticipant()
	if err != nil {
		return err
	}
	defer part.Close()

	var workloads []string
	withBound := false
	for _, w := range strings.Split(o.workloads, ",") {
		switch w = strings.TrimSpace(w); w {
		case "":
		case "bound":
			withBound = true // runs last, with no coordinator running, so that it has PostgreSQL to itself
		case "saga2", "saga2-open", "saga2-wait", "msg2", "recovery":
			workloads = append(workloads, w)
		default:
			return fmt.Errorf("unknown workload %q", w)
		}
	}

	results, err := runServer(ctx, o, admin, part, "dtxbench_run", workloads, "", startDtx, &env)
	if err != nil {
		return err
	}
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
	if o.dtmBin != "" {
		dtm, err := runServer(ctx, o, admin, part, "dtmbench_run", workloads, "DTM ", startDTM, nil)
		if err != nil {
			return fmt.Errorf("DTM: %w", err)
		}
		results = append(results, dtm...)
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

type starter func(ctx context.Context, o options, dbURL string) (*dtxProcess, error)

// runServer runs each workload against the coordinator o.repeat times (medians kept), on a database of its own
// with a coordinator started for it: what one workload leaves behind (a backlog, a big table) cannot slow another.
func runServer(ctx context.Context, o options, admin *pgx.Conn, part *participant, dbName string,
	workloads []string, label string, start starter, env *machine) ([]result, error) {
	var results []result
	for _, w := range workloads {
		runs, err := runWorkload(ctx, o, admin, part, dbName, w, label, start, env)
		if err != nil {
			return nil, err
		}
		results = append(results, median(runs))
	}
	return results, nil
}

func runWorkload(ctx context.Context, o options, admin *pgx.Conn, part *participant, dbName, w, label string,
	start starter, env *machine) ([]result, error) {
	runDB, err := freshDatabase(ctx, admin, dbName)
	if err != nil {
		return nil, err
	}
	server, err := start(ctx, o, withDatabase(o.dbURL, runDB))
	if err != nil {
		return nil, err
	}
	defer server.Stop()
	db, err := connect(ctx, withDatabase(o.dbURL, runDB))
	if err != nil {
		return nil, err
	}
	defer db.Close(ctx)
	b := &bench{o: o, dtx: server, db: db, part: part}
	var runs []result
	for i := 0; i < o.repeat; i++ {
		log.Printf("%sworkload %s, run %d of %d", label, w, i+1, o.repeat)
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
		}
		if err != nil {
			return nil, fmt.Errorf("%s%s: %w", label, w, err)
		}
		r.name = label + r.name
		log.Printf("%s", r.summary())
		runs = append(runs, r)
	}
	if env != nil {
		env.blocked += server.BlockedWarnings()
		env.peakRSS = math.Max(env.peakRSS, server.PeakRSSMiB())
	}
	return runs, nil
}
