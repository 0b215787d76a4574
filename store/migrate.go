package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one numbered SQL file of migrations/.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations are the embedded migrations in order. A file is named
// NNN_name.sql; numbers start at 1 and leave no gaps. Append only: a
// released migration is never edited.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: want NNN_name.sql", name)
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %d missing (found %d)", i+1, m.Version)
		}
	}
	return out, nil
}

// migrationLock is the advisory lock key that keeps two servers starting
// at once from migrating together ("vpos" in ASCII).
const migrationLock = 0x76706f73

// Migrate applies the migrations the database lacks, each in its own
// transaction with its row in schema_migrations, and returns the versions
// it applied. It refuses a database migrated by a newer voucherpos.
func Migrate(ctx context.Context, pool *sql.DB) ([]int, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var have int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if have > len(all) {
		return nil, fmt.Errorf("migrate: the database is at version %d, newer than this voucherpos understands (%d); use a newer voucherpos", have, len(all))
	}
	var applied []int
	for _, m := range all[have:] {
		err := inTx(ctx, conn, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %03d_%s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// SchemaVersion is the database's migration version (0: none yet).
func SchemaVersion(ctx context.Context, pool *sql.DB) (int, error) {
	var v int
	err := pool.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		return 0, nil
	}
	if err != nil && errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}
