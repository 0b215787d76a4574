package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// rowBatch is the ingest's batch of statements: queued, then sent in
// order in the caller's transaction, stopping at the first error. Each
// run of consecutive statements with the same text, an INSERT of one
// VALUES ($1, …, $n) row, is sent as one INSERT of all their rows (in
// order; as many statements as the 65535 parameters a statement may carry
// require): a round trip for the run, not one per row. So a run must not
// hold two rows that its ON CONFLICT DO UPDATE would update twice; the
// ingest's runs are keyed on distinct events, sales and rollup lines.
type rowBatch struct {
	runs []rowRun
}

type rowRun struct {
	sql  string
	rows [][]any
}

// Queue adds a statement.
func (b *rowBatch) Queue(query string, args ...any) {
	if n := len(b.runs); n > 0 && b.runs[n-1].sql == query {
		b.runs[n-1].rows = append(b.runs[n-1].rows, args)
		return
	}
	b.runs = append(b.runs, rowRun{sql: query, rows: [][]any{args}})
}

// maxParams is the most parameters PostgreSQL's protocol carries in one
// statement.
const maxParams = 65535

// Send executes the queued statements on tx.
func (b *rowBatch) Send(ctx context.Context, tx *sql.Tx) error {
	for _, r := range b.runs {
		per := max(maxParams/max(len(r.rows[0]), 1), 1)
		for rows := r.rows; len(rows) > 0; {
			n := min(len(rows), per)
			q, args := multiRow(r.sql, rows[:n])
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			rows = rows[n:]
		}
	}
	return nil
}

// multiRow is query, an INSERT of one row of parameters "VALUES ($1, …,
// $n)", for rows: the same text for one row, else the VALUES list made of
// one ($k, …) per row, numbered on, and every row's arguments.
func multiRow(query string, rows [][]any) (string, []any) {
	if len(rows) == 1 {
		return query, rows[0]
	}
	i := strings.Index(query, "VALUES (")
	j := -1
	if i >= 0 {
		j = strings.Index(query[i:], ")")
	}
	if j < 0 {
		panic("store: multiRow: no VALUES (…) in " + query)
	}
	head, tail := query[:i+len("VALUES ")], query[i+j+1:]
	var b strings.Builder
	b.Grow(len(query) + len(rows)*len(rows[0])*6)
	b.WriteString(head)
	args := make([]any, 0, len(rows)*len(rows[0]))
	for r, row := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range row {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(len(args) + c + 1))
		}
		b.WriteByte(')')
		args = append(args, row...)
	}
	b.WriteString(tail)
	return b.String(), args
}
