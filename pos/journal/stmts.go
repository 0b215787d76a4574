package journal

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements. Every statement the journal runs is prepared once
// and kept for the life of the journal: re-parsing the SQL of each call was
// a fifth of Submit's CPU. A statement is prepared the first time it runs
// outside a transaction; the first time it runs inside one (whose
// connection is the journal's only one, so nothing else can be prepared
// then) it runs unprepared and is prepared once the transaction is over.
type stmtCache struct {
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	want []string // asked for inside a transaction: prepare after it
}

// stmt is the prepared statement for q: on the journal's connection when
// tx is nil, else bound to tx. nil: run q unprepared.
func (j *Journal) stmt(ctx context.Context, tx *sql.Tx, q string) *sql.Stmt {
	c := &j.stmts
	c.mu.Lock()
	st := c.m[q]
	if st == nil && tx != nil {
		c.want = append(c.want, q)
	}
	c.mu.Unlock()
	if st == nil {
		if tx != nil {
			return nil
		}
		st = j.prepare(ctx, q)
		if st == nil {
			return nil
		}
	}
	if tx != nil {
		return tx.StmtContext(ctx, st)
	}
	return st
}

// prepare prepares q (outside any transaction) and keeps it.
func (j *Journal) prepare(ctx context.Context, q string) *sql.Stmt {
	st, err := j.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	c := &j.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	if old := c.m[q]; old != nil {
		st.Close()
		return old
	}
	c.m[q] = st
	return st
}

// prepareWanted prepares the statements first run inside a transaction.
func (j *Journal) prepareWanted() {
	c := &j.stmts
	c.mu.Lock()
	want := c.want
	c.want = nil
	c.mu.Unlock()
	for _, q := range want {
		j.prepare(context.Background(), q)
	}
}

func (j *Journal) closeStmts() {
	c := &j.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// exec runs a statement, in tx when it is not nil.
func (j *Journal) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := j.stmt(ctx, tx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if tx != nil {
		return tx.ExecContext(ctx, q, args...)
	}
	return j.db.ExecContext(ctx, q, args...)
}

// queryRow runs a query of one row, in tx when it is not nil.
func (j *Journal) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st := j.stmt(ctx, tx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if tx != nil {
		return tx.QueryRowContext(ctx, q, args...)
	}
	return j.db.QueryRowContext(ctx, q, args...)
}

// queryRows runs a query, in tx when it is not nil.
func (j *Journal) queryRows(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st := j.stmt(ctx, tx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if tx != nil {
		return tx.QueryContext(ctx, q, args...)
	}
	return j.db.QueryContext(ctx, q, args...)
}
