package store

// The report's SQL, for the EXPLAIN of the long test.
const (
	ReportQueryForTest     = reportQuery
	ReportTillQueryForTest = reportTillQry
)
