package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// boundScript is the database work of one 2-step saga in dtx, as pgbench runs it: dtx's insert of the transaction
// with its four branch rows (one statement), then the round's final write (the status and the two branch results,
// one statement). Each statement commits on its own, as dtx's do when nothing else is in flight.
const boundScript = `\set r random(1, 4000000000000000)
WITH g AS (
  INSERT INTO trans_global (gid, trans_type, status, query_prepared, protocol, options, custom_data,
                            next_cron_interval, next_cron_time, owner, lease_token, request_timeout)
  VALUES ('pgb-' || :client_id::text || '-' || :r::text, 'saga', 'submitted', '', 'http', '{"concurrent": false}', '', 10,
          now() + make_interval(secs => 13), 'pgbench', 1, 0)
  ON CONFLICT (gid) DO NOTHING
  RETURNING id
), b AS (
  INSERT INTO trans_branch_op (gid, url, bin_data, branch_id, op, status)
  SELECT 'pgb-' || :client_id::text || '-' || :r::text, u.url, u.data, u.branch_id, u.op, 'prepared'
  FROM g, unnest(ARRAY['http://127.0.0.1:1/TransOutRevert', 'http://127.0.0.1:1/TransOut',
                       'http://127.0.0.1:1/TransInRevert', 'http://127.0.0.1:1/TransIn'],
                 ARRAY['{"amount":30}'::bytea, '{"amount":30}'::bytea, '{"amount":30}'::bytea, '{"amount":30}'::bytea],
                 ARRAY['01', '01', '02', '02'], ARRAY['compensate', 'action', 'compensate', 'action'])
         WITH ORDINALITY AS u(url, data, branch_id, op, ord)
  ORDER BY u.ord
  RETURNING id
)
SELECT g.id AS tx_id FROM g
\gset
WITH g AS (
  UPDATE trans_global SET status = 'succeed', update_time = now(), finish_time = now(), retry_count = 0,
         next_cron_interval = 10, next_cron_time = now(), owner = ''
  WHERE id = :tx_id AND lease_token = 1 AND status = 'submitted'
  RETURNING gid
)
UPDATE trans_branch_op b SET status = 'succeed', attempts = 1, last_error = '', update_time = now(), finish_time = now()
FROM g WHERE b.gid = g.gid AND b.op = 'action';
`

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbenchBound measures how many sagas per second PostgreSQL sustains doing only dtx's statements, at the same
// concurrency as the closed-loop workloads, in a database of its own.
func pgbenchBound(ctx context.Context, o options, admin *pgx.Conn) (result, error) {
	name, err := freshDatabase(ctx, admin, "dtxbench_bound")
	if err != nil {
		return result{}, err
	}
	u := withDatabase(o.dbURL, name)
	db, err := connect(ctx, u)
	if err != nil {
		return result{}, err
	}
	defer db.Close(ctx)
	if err := applySchema(ctx, db); err != nil {
		return result{}, err
	}
	script := filepath.Join(os.TempDir(), "dtx-bound.sql")
	if err := os.WriteFile(script, []byte(boundScript), 0o644); err != nil {
		return result{}, err
	}
	p, _ := url.Parse(u)
	password, _ := p.User.Password()
	secs := int((o.warmup + o.duration).Seconds())
	cmd := exec.Command(filepath.Join(o.pgBin, "pgbench"), "-n", "-M", "prepared", "-c", strconv.Itoa(o.clients),
		"-j", "2", "-T", strconv.Itoa(secs), "-f", script, "-h", p.Hostname(), "-p", portOf(p), "-U",
		p.User.Username(), name)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("no tps in pgbench output:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return result{name: "bound", mode: fmt.Sprintf("pgbench, %d clients, dtx's statements", o.clients),
		clients: o.clients, tps: tps, window: time.Since(start).Seconds(), commitsPerTx: 2, writeTxPerTx: 2}, nil
}

func portOf(u *url.URL) string {
	if u.Port() == "" {
		return "5432"
	}
	return u.Port()
}
