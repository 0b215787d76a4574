package sandbox

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a Sandbox served over HTTP, like httptest.Server.
type Server struct {
	*Sandbox
	// URL is the base URL to give a kora.Client, BasePath included, e.g.
	// http://127.0.0.1:8099/merchant.
	URL string

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Start serves a new sandbox on addr ("" means 127.0.0.1 on a free port).
func Start(addr string, opts ...Option) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return Serve(ln, New(opts...)), nil
}

// Serve serves sb on ln until Close.
func Serve(ln net.Listener, sb *Sandbox) *Server {
	s := &Server{
		Sandbox: sb,
		URL:     "http://" + ln.Addr().String() + BasePath,
		ln:      ln,
		done:    make(chan struct{}),
		srv: &http.Server{
			Handler:           sb,
			ReadHeaderTimeout: 10 * time.Second,
			// The drip and slow faults write for longer than any client waits.
			IdleTimeout: time.Minute,
		},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			sb.log.Error("sandbox server stopped", "err", err)
		}
	}()
	return s
}

// Close stops the server, ends slow answers and waits for its goroutines.
func (s *Server) Close() error {
	s.Sandbox.Close()
	// Connections that a client dialled but never used would hold a graceful
	// shutdown for seconds; a simulator closes them at once.
	err := s.srv.Close()
	<-s.done
	return err
}
