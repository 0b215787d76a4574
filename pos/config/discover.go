package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Discover finds the configuration file: flagPath (--config) if given, else
// $VOUCHERPOS_CONFIG, else ./voucherpos.toml, else
// $XDG_CONFIG_HOME/voucherpos/config.toml (XDG_CONFIG_HOME defaulting to
// $HOME/.config). found is false, with no error, when none of them exists:
// the caller then runs demo mode. A file named by the flag or the variable
// must exist, since the user asked for it.
func Discover(flagPath string, env Env) (path string, found bool, err error) {
	return discover(flagPath, orGetenv(env), "")
}

// discover is Discover with the working directory made explicit ("" is the
// process's own), so tests can run in parallel without chdir.
func discover(flagPath string, env Env, cwd string) (string, bool, error) {
	if flagPath != "" {
		return required(flagPath, "--config")
	}
	if p := env(envConfig); p != "" {
		return required(p, "$"+envConfig)
	}
	candidates := []string{filepath.Join(cwd, configFileName)}
	if cwd == "" {
		candidates[0] = configFileName
	}
	if home := configHome(env); home != "" {
		candidates = append(candidates, filepath.Join(home, xdgConfigFileSubpath))
	}
	for _, p := range candidates {
		ok, err := isFile(p)
		if err != nil {
			return "", false, &Error{File: p, Msg: err.Error(), err: err}
		}
		if ok {
			return p, true, nil
		}
	}
	return "", false, nil
}

// required checks a path the user named explicitly.
func required(p, source string) (string, bool, error) {
	ok, err := isFile(p)
	if err != nil {
		return "", false, &Error{File: p, Msg: err.Error() + " (named by " + source + ")", err: err}
	}
	if !ok {
		return "", false, &Error{File: p, Msg: "no such file (named by " + source + ")", err: fs.ErrNotExist}
	}
	return p, true, nil
}

// isFile is false with no error when p does not exist; a directory or an
// unreadable location is an error, since silently falling back to demo mode
// would hide the user's file.
func isFile(p string) (bool, error) {
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return false, pe.Err // the path is already in Error.File
		}
		return false, err
	case st.IsDir():
		return false, errors.New("is a directory, not a file")
	}
	return true, nil
}

func orGetenv(env Env) Env {
	if env == nil {
		return os.Getenv
	}
	return env
}
