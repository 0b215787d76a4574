// Package cli writes the till's sales for the command line: history as a
// table or JSON, the Z-report as a table or CSV. The sales and the report
// are pos's; how they look on a terminal or in a spreadsheet is here.
package cli
