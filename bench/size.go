package main

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// buildTill builds the till as it ships: CGO off, paths trimmed, symbol
// table and DWARF stripped (-s -w).
func buildTill(ctx context.Context, root, out, goarch string, strip bool) error {
	return buildPkg(ctx, root, out, goarch, strip, ".")
}

// buildPkg builds a main package of the module as the till is built; extra
// arguments (-tags …) go before the package.
func buildPkg(ctx context.Context, root, out, goarch string, strip bool, pkg string, extra ...string) error {
	args := []string{"build", "-trimpath", "-o", out}
	if strip {
		args = append(args, "-ldflags=-s -w")
	}
	args = append(append(args, extra...), pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build (linux/%s): %v\n%s", goarch, err, out)
	}
	return nil
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// sizeShare is a part of the binary and its bytes in the file.
type sizeShare struct {
	name  string
	bytes int64
}

// sections lists the allocated sections of an ELF file that take room in
// the file (not .bss), largest first.
func sections(path string) ([]sizeShare, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []sizeShare
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOBITS || s.Size == 0 || s.Name == "" {
			continue
		}
		out = append(out, sizeShare{s.Name, int64(s.Size)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].bytes > out[j].bytes })
	return out, nil
}

// modules attributes the code and data symbols of an unstripped ELF file to
// the module (or the standard library) they come from, largest first.
// The per-function tables (.gopclntab) are not symbols and are shown as
// sections.
func modules(path string) ([]sizeShare, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	inFile := map[elf.SectionIndex]bool{}
	for i, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && s.Flags&elf.SHF_ALLOC != 0 && s.Name != ".gopclntab" {
			inFile[elf.SectionIndex(i)] = true
		}
	}
	var total, named int64
	for i, s := range f.Sections {
		if inFile[elf.SectionIndex(i)] {
			total += int64(s.Size)
		}
	}
	by := map[string]int64{}
	for _, s := range syms {
		if !inFile[s.Section] || s.Size == 0 {
			continue
		}
		by[moduleOf(s.Name)] += int64(s.Size)
		named += int64(s.Size)
	}
	var out []sizeShare
	for k, v := range by {
		out = append(out, sizeShare{k, v})
	}
	if total > named {
		// Strings, embedded files and tables the linker keeps without a
		// sized symbol of their own.
		out = append(out, sizeShare{"(in no sized symbol: strings, embedded data)", total - named})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].bytes > out[j].bytes })
	return out, nil
}

// moduleOf maps a Go symbol name to its module path, roughly: the standard
// library is "std", runtime tables "go: and type: metadata".
func moduleOf(sym string) string {
	switch {
	case strings.HasPrefix(sym, "go:") || strings.HasPrefix(sym, "type:") || strings.HasPrefix(sym, "runtime."):
		if strings.HasPrefix(sym, "runtime.") {
			return "std"
		}
		return "go: and type: metadata"
	case strings.HasPrefix(sym, "vendor/"):
		return "std"
	}
	// The package path ends at the first '.' after the last '/' (of the
	// name itself, not of a generic instantiation's type arguments).
	pkg, _, _ := strings.Cut(sym, "[")
	slash := strings.LastIndexByte(pkg, '/')
	if dot := strings.IndexByte(pkg[slash+1:], '.'); dot >= 0 {
		pkg = pkg[:slash+1+dot]
	}
	parts := strings.Split(pkg, "/")
	if !strings.Contains(parts[0], ".") {
		if parts[0] == "voucherpos" {
			return "voucherpos"
		}
		return "std"
	}
	n := 2
	switch parts[0] {
	case "github.com", "golang.org", "gopkg.in", "go.uber.org":
		n = 3
	}
	if len(parts) > n && len(parts[n]) > 1 && parts[n][0] == 'v' && strings.Trim(parts[n][1:], "0123456789") == "" {
		n++ // a major-version suffix
	}
	if len(parts) < n {
		n = len(parts)
	}
	return strings.Join(parts[:n], "/")
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func printShares(w *strings.Builder, title string, shares []sizeShare, total int64, top int) {
	fmt.Fprintf(w, "%s\n", title)
	var rest int64
	for i, s := range shares {
		if i >= top {
			rest += s.bytes
			continue
		}
		fmt.Fprintf(w, "  %-44s %7.2f MiB  %4.1f%%\n", s.name, mib(s.bytes), 100*float64(s.bytes)/float64(total))
	}
	if rest > 0 {
		fmt.Fprintf(w, "  %-44s %7.2f MiB  %4.1f%%\n", "(the rest)", mib(rest), 100*float64(rest)/float64(total))
	}
}

func binPath(dir, name string) string { return filepath.Join(dir, name) }
