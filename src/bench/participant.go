package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// participant answers every branch call with 200 SUCCESS at once; it can be taken down (its port refuses
// connections) and brought back on the same port.
type participant struct {
	mu     sync.Mutex
	port   int
	server *http.Server
	calls  atomic.Int64
}

var successBody = []byte(`{"dtm_result":"SUCCESS"}`)

func startParticipant() (*participant, error) {
	p := &participant{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.port = l.Addr().(*net.TCPAddr).Port
	p.serve(l)
	return p, nil
}

func (p *participant) serve(l net.Listener) {
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write(successBody)
	})}
	go func() { _ = p.server.Serve(l) }()
}

func (p *participant) url(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path)
}

// Down closes the port and every open connection.
func (p *participant) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.server.Close()
}

// Up listens on the same port again.
func (p *participant) Up() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
	if err != nil {
		return err
	}
	p.serve(l)
	return nil
}

func (p *participant) Close() { _ = p.server.Shutdown(context.Background()) }
