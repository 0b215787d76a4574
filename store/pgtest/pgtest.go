// Package pgtest gives each test a fresh PostgreSQL database of its own,
// created on the server that $VOUCHERPOS_TEST_DATABASE_URL names and
// dropped at cleanup.
//
// Without the variable it tries the default local server
// (postgres://postgres@127.0.0.1:5432/postgres). When no server answers, the
// test is skipped with one line saying how to run it, unless CI=true or the
// variable is set: then it fails, because a CI run without its database
// would pass without testing anything.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
)

// EnvURL names the admin URL of the test server.
const EnvURL = "VOUCHERPOS_TEST_DATABASE_URL"

// DefaultURL is tried when EnvURL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	probeOnce sync.Once
	probeErr  error
)

// AdminURL is the server's admin URL, skipping or failing t as the package
// doc says when no server can be had.
func AdminURL(t testing.TB) string {
	t.Helper()
	admin, set := os.LookupEnv(EnvURL)
	if !set || admin == "" {
		admin = DefaultURL
	}
	probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := connect(ctx, admin)
		if err == nil {
			conn.Close()
		}
		probeErr = err
	})
	if probeErr != nil {
		if set || os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s: %v", redact(admin), probeErr)
		}
		t.Skipf("no PostgreSQL at %s; run with %s=postgres://USER@HOST:5432/postgres (a server where USER may CREATE DATABASE)", redact(admin), EnvURL)
	}
	return admin
}

// New creates a database named for t, drops it at cleanup (terminating any
// connection left open), and returns its URL.
func New(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "vptest_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close()
	// The name is ours (hex), so quoting it as an identifier is safe;
	// CREATE DATABASE takes no parameters.
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { Drop(t, admin, name) })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: admin URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Drop removes a test database, ending its sessions first.
func Drop(t testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, admin)
	if err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
		return
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
	}
}

// TerminateBackends ends every session on the database at url, as a
// database restart would (pg_terminate_backend).
func TerminateBackends(t testing.TB, dbURL string) int {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := connect(ctx, AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	err = conn.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// connect opens one connection to url (a pool of one, checked with a
// ping), with sslmode prefer unless url says otherwise. The caller closes
// it.
func connect(ctx context.Context, url string) (*sql.DB, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, err
	}
	if cfg.SSLMode == "" {
		cfg.SSLMode = pq.SSLModePrefer // libpq's default
	}
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
