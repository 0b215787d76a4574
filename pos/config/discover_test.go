package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiscoverOrder(t *testing.T) {
	t.Parallel()
	// Each case lays out some of: the --config file, the $VOUCHERPOS_CONFIG
	// file, ./voucherpos.toml, $XDG_CONFIG_HOME's and $HOME/.config's file.
	type layout struct {
		flag, envFile, cwd, xdg, homeConfig bool
	}
	tests := []struct {
		name       string
		have       layout
		flagPath   string // "" none, "FLAG" the flag file, else a name under root
		envPath    string // same for $VOUCHERPOS_CONFIG
		xdgRel     bool   // XDG_CONFIG_HOME is relative (and so ignored)
		noXDG      bool   // XDG_CONFIG_HOME unset
		want       string // "" when not found; else one of flag env cwd xdg home
		wantErr    string
		wantNotExt bool // the error matches fs.ErrNotExist
	}{
		{name: "flag first", have: layout{true, true, true, true, true}, flagPath: "FLAG", envPath: "ENV", want: "flag"},
		{name: "env second", have: layout{false, true, true, true, true}, envPath: "ENV", want: "env"},
		{name: "working directory third", have: layout{false, false, true, true, true}, want: "cwd"},
		{name: "XDG_CONFIG_HOME fourth", have: layout{false, false, false, true, true}, want: "xdg"},
		{name: "HOME/.config when XDG_CONFIG_HOME unset", have: layout{homeConfig: true}, noXDG: true, want: "home"},
		{name: "relative XDG_CONFIG_HOME is ignored", have: layout{xdg: true, homeConfig: true}, xdgRel: true, want: "home"},
		{name: "XDG_CONFIG_HOME set hides HOME/.config", have: layout{homeConfig: true}, want: ""},
		{name: "none found means demo", have: layout{}, want: ""},
		{name: "missing flag file is an error", have: layout{cwd: true}, flagPath: "nope.toml", wantErr: "no such file (named by --config)", wantNotExt: true},
		{name: "missing env file is an error", have: layout{cwd: true}, envPath: "nope.toml", wantErr: "no such file (named by $VOUCHERPOS_CONFIG)", wantNotExt: true},
		{name: "flag naming a directory is an error", have: layout{cwd: true}, flagPath: ".", wantErr: "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			paths := map[string]string{
				"flag": filepath.Join(root, "flag.toml"),
				"env":  filepath.Join(root, "env.toml"),
				"cwd":  filepath.Join(root, "work", "voucherpos.toml"),
				"xdg":  filepath.Join(root, "xdg", "voucherpos", "config.toml"),
				"home": filepath.Join(root, "home", ".config", "voucherpos", "config.toml"),
			}
			for name, ok := range map[string]bool{"flag": tt.have.flag, "env": tt.have.envFile, "cwd": tt.have.cwd, "xdg": tt.have.xdg, "home": tt.have.homeConfig} {
				if ok {
					writeFile(t, root, strings.TrimPrefix(paths[name], root+string(filepath.Separator)), minimal, 0o600)
				}
			}
			if err := os.MkdirAll(filepath.Join(root, "work"), 0o700); err != nil {
				t.Fatal(err)
			}
			resolve := func(p string) string {
				switch p {
				case "":
					return ""
				case "FLAG":
					return paths["flag"]
				case "ENV":
					return paths["env"]
				}
				return filepath.Join(root, p)
			}
			m := map[string]string{
				"HOME":              filepath.Join(root, "home"),
				"XDG_CONFIG_HOME":   filepath.Join(root, "xdg"),
				"VOUCHERPOS_CONFIG": resolve(tt.envPath),
			}
			if tt.xdgRel {
				m["XDG_CONFIG_HOME"] = "xdg"
			}
			if tt.noXDG {
				delete(m, "XDG_CONFIG_HOME")
			}
			path, found, err := discover(resolve(tt.flagPath), mapEnv(m), filepath.Join(root, "work"))
			if tt.wantErr != "" {
				e := asError(t, err)
				if !strings.Contains(e.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", e, tt.wantErr)
				}
				if tt.wantNotExt != errors.Is(err, fs.ErrNotExist) {
					t.Errorf("errors.Is(%q, fs.ErrNotExist) = %t", err, !tt.wantNotExt)
				}
				if found {
					t.Error("found with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if found || path != "" {
					t.Errorf("Discover = %q, %t; want nothing found", path, found)
				}
				return
			}
			if !found || path != paths[tt.want] {
				t.Errorf("Discover = %q, %t; want %q", path, found, paths[tt.want])
			}
		})
	}
}

// Discover itself looks in the process's working directory. Chdir cannot
// run in parallel, so this test does not.
func TestDiscoverWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "voucherpos.toml", minimal, 0o600)
	t.Chdir(dir)
	env := mapEnv(map[string]string{"HOME": filepath.Join(dir, "nohome")})
	path, found, err := Discover("", env)
	if err != nil || !found || path != "voucherpos.toml" {
		t.Fatalf("Discover = %q, %t, %v; want voucherpos.toml", path, found, err)
	}
	if _, err := Load(path, mapEnv(map[string]string{"KORA_SECRET_KEY": testSecret})); err != nil {
		t.Fatalf("Load(%q): %v", path, err)
	}
}
