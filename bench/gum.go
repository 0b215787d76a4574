package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// installGum installs the peer, charmbracelet/gum, from the Go module proxy
// into dir/gumbin and returns the binary and its version line.
func installGum(ctx context.Context, dir, version string) (bin, about string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	gobin := filepath.Join(dir, "gumbin")
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/charmbracelet/gum@"+version)
	cmd.Dir = dir // outside the module: go install pkg@version ignores go.mod anyway
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-modcacherw")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return "", "", fmt.Errorf("go install github.com/charmbracelet/gum@%s: no answer within 5 minutes", version)
	}
	if err != nil {
		return "", "", fmt.Errorf("go install github.com/charmbracelet/gum@%s: %v\n%s", version, err, strings.TrimSpace(string(out)))
	}
	bin = filepath.Join(gobin, "gum")
	v, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "", "", fmt.Errorf("%s --version: %v", bin, err)
	}
	return bin, strings.TrimSpace(string(v)), nil
}
