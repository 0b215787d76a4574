package config

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// The file is decoded into map[string]any and checked against this schema
// rather than decoded into structs. BurntSushi/toml reports a struct type
// mismatch as a plain fmt error (only some errors are a ParseError with a
// Position), and would word it differently from every other mistake; the
// walk below gives each unknown key and wrong type the same one-line form,
// and it never quotes a value, so a misplaced secret cannot leak through a
// type error.

type kind int

const (
	kString kind = iota
	kInt
	kBool
)

type keySpec struct {
	name    string
	kind    kind
	example string // shown in type errors; never for secret_key
}

type section struct {
	name  string
	array bool // [[providers]]
	keys  []keySpec
}

var schema = []section{
	{name: "store", keys: []keySpec{
		{"name", kString, `"Demo Spaza"`},
		{"terminal_id", kString, `"till-1"`},
		{"currency", kString, `"ZAR"`},
		{"country", kString, `"ZA"`},
		{"customer_email", kString, `"till@example.com"`},
		{"max_amount", kString, `"5000.00" (quoted, so no float rounding)`},
	}},
	{name: "kora", keys: []keySpec{
		{"base_url", kString, `"https://api.korapay.com/merchant"`},
		{"secret_key_env", kString, `"KORA_SECRET_KEY"`},
		{"secret_key_file", kString, `"/etc/voucherpos/kora.key"`},
		{"secret_key", kString, ""},
		{"merchant_bears_cost", kBool, "true"},
		{"notification_url", kString, `"https://example.com/hooks/kora"`},
		{"timeout", kString, `"30s"`},
	}},
	{name: "providers", array: true, keys: []keySpec{
		{"code", kString, `"0001" (quoted, so leading zeros stay)`},
		{"name", kString, `"1Voucher"`},
		{"pin_length", kInt, "16"},
	}},
	{name: "journal", keys: []keySpec{
		{"path", kString, `"/var/lib/voucherpos/journal.db"`},
	}},
	{name: "receipt", keys: []keySpec{
		{"width", kInt, "42"},
		{"printer", kString, `"stdout"`},
		{"escpos", kBool, "false"},
	}},
	{name: "kiosk", keys: []keySpec{
		{"enabled", kBool, "false"},
		{"idle_timeout", kString, `"90s"`},
		{"supervisor_pin_hash", kString, `""`},
	}},
	{name: "ui", keys: []keySpec{
		{"ascii", kBool, "false"},
	}},
	{name: "store_server", keys: []keySpec{
		{"url", kString, `"https://store.local:8443"`},
		{"token_file", kString, `"/etc/voucherpos/store.token"`},
		{"public_webhook_url", kString, `"https://store.example.com/kora/webhook"`},
	}},
}

// table is one checked table of the file: only known keys of the right type.
type table map[string]any

func (t table) str(k string) (string, bool) { v, ok := t[k].(string); return v, ok }
func (t table) num(k string) (int64, bool)  { v, ok := t[k].(int64); return v, ok }
func (t table) flag(k string) (bool, bool)  { v, ok := t[k].(bool); return v, ok }

// doc is the file after the walk: sections by name, providers in order.
type doc struct {
	tables    map[string]table
	providers []table
}

// walk checks names and types; it returns every mistake it finds.
func walk(root map[string]any, key func(string) *Error) (doc, []*Error) {
	d := doc{tables: map[string]table{}}
	var errs []*Error
	names := make([]string, len(schema))
	for i, s := range schema {
		names[i] = s.name
	}
	for _, name := range slices.Sorted(maps.Keys(root)) {
		v := root[name]
		sec := findSection(name)
		if sec == nil {
			e := key(toml.Key{name}.String())
			if secretLike(name) {
				e.Key, e.Msg = "", hiddenKey
				errs = append(errs, e)
				continue
			}
			e.Msg = "unknown key" + hint(name, names)
			if s := sectionOf(name); s != "" {
				e.Msg = "unknown key here; " + name + " belongs under [" + s + "]"
			}
			errs = append(errs, e)
			continue
		}
		if sec.array {
			list, ok := tableArray(v)
			if !ok {
				e := key(name)
				e.Msg = "must be an array of tables, written " + sec.header() + ", not " + typeName(v)
				errs = append(errs, e)
				continue
			}
			for i, m := range list {
				prefix := name + "[" + strconv.Itoa(i+1) + "]"
				t, es := walkTable(sec, prefix, m, key)
				errs = append(errs, es...)
				d.providers = append(d.providers, t)
			}
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			e := key(name)
			e.Msg = "must be a table, written " + sec.header() + ", not " + typeName(v)
			errs = append(errs, e)
			continue
		}
		t, es := walkTable(sec, name, m, key)
		errs = append(errs, es...)
		d.tables[name] = t
	}
	for _, s := range schema {
		if !s.array && d.tables[s.name] == nil {
			d.tables[s.name] = table{}
		}
	}
	return d, errs
}

func walkTable(sec *section, prefix string, m map[string]any, key func(string) *Error) (table, []*Error) {
	t := table{}
	var errs []*Error
	known := make([]string, len(sec.keys))
	for i, k := range sec.keys {
		known[i] = k.name
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		v := m[name]
		full := prefix + "." + toml.Key{name}.String()
		spec := findKey(sec, name)
		if spec == nil {
			e := key(full)
			if secretLike(name) {
				e.Key, e.Msg = prefix, hiddenKey
				errs = append(errs, e)
				continue
			}
			e.Msg = "unknown key" + hint(name, known)
			if s := findSection(name); s != nil {
				e.Msg = "unknown key here; " + name + " is a table of its own: write " + s.header() + ", or move this line above the first [table]"
			}
			errs = append(errs, e)
			continue
		}
		if !spec.fits(v) {
			e := key(full)
			e.Msg = spec.mismatch(v)
			errs = append(errs, e)
			continue
		}
		t[name] = v
	}
	return t, errs
}

func (k *keySpec) fits(v any) bool {
	switch k.kind {
	case kString:
		_, ok := v.(string)
		return ok
	case kInt:
		_, ok := v.(int64)
		return ok
	case kBool:
		_, ok := v.(bool)
		return ok
	}
	return false
}

// mismatch describes a wrong type without quoting the value.
func (k *keySpec) mismatch(v any) string {
	want := map[kind]string{kString: "a string", kInt: "an integer", kBool: "true or false"}[k.kind]
	msg := "must be " + want
	if k.example != "" && k.kind != kBool {
		msg += " such as " + k.example
	}
	return msg + ", not " + typeName(v)
}

func tableArray(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}

// typeName names a decoded TOML value's type for a message.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date or time"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "another type"
}

func (s *section) header() string {
	if s.array {
		return "[[" + s.name + "]]"
	}
	return "[" + s.name + "]"
}

func findSection(name string) *section {
	for i := range schema {
		if schema[i].name == name {
			return &schema[i]
		}
	}
	return nil
}

func findKey(sec *section, name string) *keySpec {
	for i := range sec.keys {
		if sec.keys[i].name == name {
			return &sec.keys[i]
		}
	}
	return nil
}

// sectionOf names the one table a top-level key belongs in, if any.
func sectionOf(name string) string {
	found := ""
	for _, s := range schema {
		if findKey(&s, name) != nil {
			if found != "" {
				return ""
			}
			found = s.name
		}
	}
	return found
}

func hint(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// hiddenKey is the message for an unknown key whose name is not repeated.
const hiddenKey = "unknown key (its name looks like a secret, so it is not shown); remove that line, or put a key under [kora] as secret_key = \"…\""

// settingName is what a mistyped setting's name looks like: letters, '_'
// and '-', a digit or two, not too long.
var settingName = regexp.MustCompile(`^[A-Za-z][A-Za-z_-]*[0-9]{0,2}[A-Za-z_-]*$`)

// secretLike reports whether an unknown key's name may be a secret typed
// as a name (a line "sk_live_abc123 = 1"): anything that does not look
// like a mistyped setting. Such a name is never repeated in a message.
func secretLike(name string) bool {
	if len(name) > 32 || !settingName.MatchString(name) {
		return true
	}
	lower := strings.ToLower(name)
	for _, p := range keyPrefixes {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return strings.HasPrefix(lower, "sk_") || strings.HasPrefix(lower, "pk_")
}
