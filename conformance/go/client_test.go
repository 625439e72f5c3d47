package conformance

// What the DTM client sent to dtx and what it got back, observed through the client's own
// resty hook (a public extension point; the client's behaviour is unchanged).

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dtm-labs/client/dtmcli"
	"github.com/go-resty/resty/v2"
)

// exchange is one request of the client to a dtmsvr route with dtx's answer.
type exchange struct {
	Route  string // e.g. "submit", "prepare", "abort", "newGid"
	Gid    string // the gid in the request body, if any
	Status int
	Body   string
}

var (
	tapOnce sync.Once
	tapMu   sync.Mutex
	tapped  []exchange
	gidSeq  atomic.Int64
)

func installTap() {
	tapOnce.Do(func() {
		dtmcli.GetRestyClient().OnAfterResponse(func(_ *resty.Client, resp *resty.Response) error {
			req := resp.Request
			if req == nil || !strings.HasPrefix(req.URL, dtmServer+"/") {
				return nil
			}
			route := strings.TrimPrefix(req.URL, dtmServer+"/")
			if i := strings.IndexByte(route, '?'); i >= 0 {
				route = route[:i]
			}
			gid := ""
			if req.Body != nil {
				if b, err := json.Marshal(req.Body); err == nil {
					var m map[string]interface{}
					if json.Unmarshal(b, &m) == nil {
						gid, _ = m["gid"].(string)
					}
				}
			}
			tapMu.Lock()
			tapped = append(tapped, exchange{Route: route, Gid: gid, Status: resp.StatusCode(), Body: resp.String()})
			tapMu.Unlock()
			return nil
		})
	})
}

// exchanges returns what the client exchanged with dtx for a gid on a route, in order.
func exchanges(gid, route string) []exchange {
	tapMu.Lock()
	defer tapMu.Unlock()
	var out []exchange
	for _, e := range tapped {
		if e.Gid == gid && e.Route == route {
			out = append(out, e)
		}
	}
	return out
}

// lastExchange returns the last exchange for gid on route or fails the test.
func lastExchange(t *testing.T, gid, route string) exchange {
	t.Helper()
	ex := exchanges(gid, route)
	if len(ex) == 0 {
		t.Fatalf("the client made no %s request for gid %s", route, gid)
	}
	return ex[len(ex)-1]
}

// newGid makes a gid unique to this run.
func newGid(name string) string {
	return fmt.Sprintf("go-%s-%d-%d", name, time.Now().UnixNano()%1e12, gidSeq.Add(1))
}

// newSaga is dtmcli.NewSaga with a 1 s retry interval, so that retries come within seconds.
func newSaga(gid string) *dtmcli.Saga {
	installTap()
	s := dtmcli.NewSaga(dtmServer, gid)
	s.RetryInterval = 1
	return s
}

// newMsg is dtmcli.NewMsg with a 1 s retry interval.
func newMsg(gid string) *dtmcli.Msg {
	installTap()
	m := dtmcli.NewMsg(dtmServer, gid)
	m.RetryInterval = 1
	return m
}

// payload builds a step body and the exact JSON text the client sends for it.
func payload(kv ...interface{}) (map[string]interface{}, string) {
	m := map[string]interface{}{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return m, string(b)
}
