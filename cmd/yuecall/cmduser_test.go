package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuecall/yuecall/desk"
)

func TestCmdUser(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cmdUser(args, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	cases := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		out, err string
	}{
		{"add", "s3cret-password\n", []string{"add", "amy", "--role", "agent", "--password-stdin", "-data", dir}, 0, "added amy (agent)", ""},
		{"flags first", "another-password", []string{"add", "-data", dir, "--role=supervisor", "--password-stdin", "sue"}, 0, "added sue", ""},
		{"duplicate", "s3cret-password\n", []string{"add", "amy", "--role", "agent", "--password-stdin", "-data", dir}, 1, "", "already exists"},
		{"no stdin flag", "s3cret-password\n", []string{"add", "bob", "--role", "agent", "-data", dir}, 2, "", "--password-stdin"},
		{"short password", "short\n", []string{"add", "bob", "--role", "agent", "--password-stdin", "-data", dir}, 1, "", "password must be"},
		{"empty stdin", "", []string{"add", "bob", "--role", "agent", "--password-stdin", "-data", dir}, 1, "", "no password"},
		{"bad role", "s3cret-password\n", []string{"add", "bob", "--role", "admin", "--password-stdin", "-data", dir}, 1, "", "role must be"},
		{"list", "", []string{"list", "-data", dir}, 0, "amy   agent", ""},
		{"remove", "", []string{"remove", "sue", "-data", dir}, 0, "removed sue", ""},
		{"remove again", "", []string{"remove", "sue", "-data", dir}, 1, "", "no such user"},
		{"unknown", "", []string{"rename", "-data", dir}, 2, "", "unknown"},
	}
	for _, c := range cases {
		code, out, errs := run(c.stdin, c.args...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errs, c.err) {
			t.Errorf("%s: code %d out %q err %q; want %d, %q, %q", c.name, code, out, errs, c.code, c.out, c.err)
		}
		if strings.Contains(out+errs, "s3cret-password") {
			t.Errorf("%s: the password was printed", c.name)
		}
	}
	u, err := desk.OpenUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Verify("amy", "s3cret-password"); err != nil {
		t.Errorf("amy cannot sign in with the password from stdin: %v", err)
	}
	if l := u.List(); len(l) != 1 {
		t.Errorf("users %+v", l)
	}
	if st, err := os.Stat(filepath.Join(dir, desk.UsersFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("users.json: %v %v", st.Mode(), err)
	}
}

func TestCmdUserDataDirFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("YUECALL_DATA_DIR", dir)
	var out, errb bytes.Buffer
	if code := cmdUser([]string{"add", "carl", "--role", "compliance", "--password-stdin"}, strings.NewReader("compliance-pw-1\n"), &out, &errb); code != 0 {
		t.Fatalf("code %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, desk.UsersFile)); err != nil {
		t.Errorf("YUECALL_DATA_DIR not used: %v", err)
	}
}
