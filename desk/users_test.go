package desk

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsersAddVerifyRemove(t *testing.T) {
	dir := t.TempDir()
	u, err := OpenUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Add("amy", RoleAgent, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := u.Add("sue", RoleSupervisor, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := u.Add("amy", RoleAgent, testPassword); !errors.Is(err, ErrUserExists) {
		t.Errorf("second add: %v", err)
	}
	got, err := u.Verify("amy", testPassword)
	if err != nil || got.Name != "amy" || got.Role != RoleAgent {
		t.Fatalf("verify: %+v %v", got, err)
	}
	for _, c := range []struct{ name, pw string }{{"amy", "wrong password!"}, {"nobody", testPassword}, {"amy", ""}} {
		if _, err := u.Verify(c.name, c.pw); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("verify(%q,%q) = %v, want ErrBadCredentials", c.name, c.pw, err)
		}
	}
	st, err := os.Stat(filepath.Join(dir, UsersFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("users.json mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, UsersFile))
	if strings.Contains(string(raw), testPassword) || strings.Count(string(raw), "$argon2id$v=19$") != 2 {
		t.Errorf("store does not hold argon2id hashes only:\n%s", raw)
	}
	// a second process (yuecall user) sees and changes the same file
	u2, err := OpenUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l := u2.List(); len(l) != 2 || l[0].Name != "amy" || l[1].Name != "sue" {
		t.Fatalf("list %+v", l)
	}
	if err := u2.Remove("amy"); err != nil {
		t.Fatal(err)
	}
	if err := u2.Remove("amy"); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("second remove: %v", err)
	}
	if _, err := u.Verify("amy", testPassword); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("removed user still verifies in the first instance: %v", err)
	}
}

func TestUsersValidation(t *testing.T) {
	u, err := OpenUsers(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, role, pw string
		want           error
	}{
		{"amy", RoleAgent, testPassword, nil},
		{"a", RoleAgent, testPassword, ErrBadName},
		{"Amy", RoleAgent, testPassword, ErrBadName},
		{"amy smith", RoleAgent, testPassword, ErrBadName},
		{"-amy", RoleAgent, testPassword, ErrBadName},
		{strings.Repeat("a", 33), RoleAgent, testPassword, ErrBadName},
		{"bob", "admin", testPassword, ErrBadRole},
		{"bob", RoleAgent, "short", ErrBadPassword},
		{"bob", RoleAgent, strings.Repeat("x", MaxPasswordLen+1), ErrBadPassword},
		{"chan.tai-man_2", RoleCompliance, testPassword, nil},
	}
	for _, c := range cases {
		if err := u.Add(c.name, c.role, c.pw); !errors.Is(err, c.want) {
			t.Errorf("Add(%q,%q) = %v, want %v", c.name, c.role, err, c.want)
		}
	}
}

func TestHashSaltedAndDefaultParams(t *testing.T) {
	a, err := hashPassword(testPassword, DefaultKDF)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hashPassword(testPassword, DefaultKDF)
	if a == b {
		t.Error("two hashes of one password are equal: no salt")
	}
	real := KDFParams{Time: 3, MemKiB: 64 * 1024, Threads: 2, KeyLen: 32, SaltLen: 16}
	h, err := hashPassword(testPassword, real)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q lacks the documented parameters", h)
	}
	if !checkPassword(testPassword, h) || checkPassword(testPassword+"x", h) {
		t.Error("checkPassword with the production parameters is wrong")
	}
}

func TestCorruptStore(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, UsersFile), []byte("{nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenUsers(dir); !errors.Is(err, ErrCorruptStore) {
		t.Errorf("OpenUsers on a corrupt file: %v", err)
	}
}

func FuzzCheckPassword(f *testing.F) {
	good, _ := hashPassword("pw-1234567890", testKDF)
	for _, s := range []string{good, "", "$argon2id$", "$argon2id$v=19$m=1,t=1,p=1$$", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA",
		"$argon2id$v=19$m=64,t=1,p=0$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add("pw-1234567890", s)
	}
	f.Fuzz(func(t *testing.T, pw, phc string) {
		_ = checkPassword(pw, phc)
	})
}
