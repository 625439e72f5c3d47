package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

func connect(ctx context.Context, u string) (*pgx.Conn, error) {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return pgx.Connect(c, u)
}

// withDatabase returns the URL with its database replaced.
func withDatabase(u, db string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Path = "/" + db
	return p.String()
}

// freshDatabase drops and creates a database, so every run starts from empty tables. A plain DROP DATABASE
// cancels an autovacuum worker busy on it (common right after a heavy run), which WITH (FORCE) may not do for a
// role without pg_signal_backend; FORCE is the fallback for sessions left over by a killed process.
func freshDatabase(ctx context.Context, admin *pgx.Conn, name string) (string, error) {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if _, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err == nil {
			break
		}
		if _, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err == nil {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil {
		return "", fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	return name, nil
}

// applySchema runs dtx's migration on a database that dtx itself never opened (the pgbench bound).
func applySchema(ctx context.Context, db *pgx.Conn) error {
	sql, err := os.ReadFile("src/main/resources/db/migration/V1__transactions.sql")
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, string(sql))
	return err
}

// snapshot is what is read at the start and at the end of a measured window.
type snapshot struct {
	dbTime     time.Time
	xactCommit int64
	nextXid    int64
	cpuSeconds float64
	at         time.Time
}

func (b *bench) snapshot(ctx context.Context) (snapshot, error) {
	var s snapshot
	err := b.db.QueryRow(ctx, `SELECT now(), (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
		pg_snapshot_xmax(pg_current_snapshot())::text::bigint`).Scan(&s.dbTime, &s.xactCommit, &s.nextXid)
	if err != nil {
		return s, err
	}
	s.cpuSeconds = b.dtx.CPUSeconds()
	s.at = time.Now()
	return s, nil
}

// finishedBetween counts the transactions of a workload that finished in the window.
func (b *bench) finishedBetween(ctx context.Context, prefix string, from, to time.Time) (int64, error) {
	var n int64
	err := b.db.QueryRow(ctx, `SELECT count(*) FROM trans_global WHERE gid LIKE $1 AND status = 'succeed'
		AND finish_time >= $2 AND finish_time < $3`, prefix+"%", from, to).Scan(&n)
	return n, err
}

// finishLatency is the median and 99th percentile of finish_time - create_time of the transactions created in the
// window (database times at both ends).
func (b *bench) finishLatency(ctx context.Context, prefix string, from, to time.Time) (time.Duration, time.Duration, error) {
	var p50, p99 *float64
	err := b.db.QueryRow(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finish_time - create_time)),
		percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finish_time - create_time))
		FROM trans_global WHERE gid LIKE $1 AND status = 'succeed' AND create_time >= $2 AND create_time < $3`,
		prefix+"%", from, to).Scan(&p50, &p99)
	if err != nil || p50 == nil {
		return 0, 0, err
	}
	return seconds(*p50), seconds(*p99), nil
}

// awaitFinished waits until no transaction of the workload is unfinished (or the timeout passes).
func (b *bench) awaitFinished(ctx context.Context, prefix string, timeout time.Duration) (int64, error) {
	end := time.Now().Add(timeout)
	for {
		var open int64
		if err := b.db.QueryRow(ctx, `SELECT count(*) FROM trans_global WHERE gid LIKE $1 AND status NOT IN ('succeed', 'failed')`,
			prefix+"%").Scan(&open); err != nil {
			return 0, err
		}
		if open == 0 || time.Now().After(end) {
			return open, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second))
}
