package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// BurntSushi/toml v1.6.0 records where each key was defined but exposes it
// only inside the ParseError of a failed decode; MetaData has no key
// positions. lineIndex recovers them by scanning the text, which is enough
// for a file that has already parsed: table headers, [[array]] headers
// (numbered from 1, as providers[2]), key = value lines and the keys of a
// one-line inline table. Anything it cannot place falls back to the nearest
// enclosing table, then to "no line".
type lineIndex map[string]int

var (
	bareOrQuotedKey = regexp.MustCompile(`^(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*$`)
	inlineKey       = regexp.MustCompile(`[{,]\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=`)
)

func indexLines(text string) lineIndex {
	idx := lineIndex{}
	set := func(k string, n int) {
		if _, ok := idx[k]; !ok {
			idx[k] = n
		}
	}
	ctx := ""
	arrays := map[string]int{}
	multi := "" // the delimiter of a multi-line string we are inside
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		s := strings.TrimSpace(line)
		if multi != "" {
			if strings.Count(s, multi)%2 == 1 {
				multi = ""
			}
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.HasPrefix(s, "[[") {
			end := strings.Index(s, "]]")
			if end < 0 {
				continue
			}
			name, ok := normKey(s[2:end])
			if !ok {
				continue
			}
			arrays[name]++
			ctx = name + "[" + strconv.Itoa(arrays[name]) + "]"
			set(name, n)
			set(ctx, n)
			continue
		}
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				continue
			}
			if name, ok := normKey(s[1:end]); ok {
				ctx = name
				set(ctx, n)
			}
			continue
		}
		k, v, ok := cutAssign(s)
		if !ok {
			continue
		}
		key, ok := normKey(k)
		if !ok {
			continue
		}
		full := joinKey(ctx, key)
		set(full, n)
		if strings.HasPrefix(v, "{") {
			for _, m := range inlineKey.FindAllStringSubmatch(v, -1) {
				if sub, ok := normKey(m[1]); ok {
					set(full+"."+sub, n)
				}
			}
		}
		for _, d := range []string{`"""`, `'''`} {
			if strings.Count(v, d)%2 == 1 {
				multi = d
				break
			}
		}
	}
	return idx
}

// line finds key, or failing that its closest enclosing table.
func (idx lineIndex) line(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if n, ok := idx[k]; ok {
			return n
		}
	}
	return 0
}

func parentKey(k string) string {
	if strings.HasSuffix(k, "]") {
		if i := strings.LastIndexByte(k, '['); i >= 0 {
			return k[:i]
		}
	}
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}

func joinKey(ctx, key string) string {
	if ctx == "" {
		return key
	}
	return ctx + "." + key
}

// cutAssign splits "key = value" at the first '=' outside quotes.
func cutAssign(s string) (key, value string, ok bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '=':
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
	}
	return "", "", false
}

// normKey turns a TOML key as written (`kora . "timeout"`) into the form
// toml.Key.String gives (kora.timeout), which is how Load names keys.
func normKey(k string) (string, bool) {
	k = strings.TrimSpace(k)
	if !bareOrQuotedKey.MatchString(k) {
		return "", false
	}
	var parts []string
	for len(k) > 0 {
		k = strings.TrimLeft(k, " \t.")
		if k == "" {
			break
		}
		if k[0] == '"' || k[0] == '\'' {
			end := strings.IndexByte(k[1:], k[0])
			if end < 0 {
				return "", false
			}
			part := k[1 : end+1]
			if k[0] == '"' {
				if u, err := strconv.Unquote(`"` + part + `"`); err == nil {
					part = u
				}
			}
			parts = append(parts, part)
			k = k[end+2:]
			continue
		}
		end := strings.IndexAny(k, " \t.")
		if end < 0 {
			end = len(k)
		}
		parts = append(parts, k[:end])
		k = k[end:]
	}
	if len(parts) == 0 {
		return "", false
	}
	return toml.Key(parts).String(), true
}
