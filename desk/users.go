package desk

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Roles of desk users.
const (
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
	RoleCompliance = "compliance"
)

// Password length limits, in bytes.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 1024
)

// UsersFile is the name of the user store inside the data directory.
const UsersFile = "users.json"

// Errors of the user store.
var (
	ErrBadName        = errors.New("desk: user name must be 2-32 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
	ErrBadRole        = errors.New("desk: role must be agent, supervisor or compliance")
	ErrBadPassword    = fmt.Errorf("desk: password must be %d to %d bytes", MinPasswordLen, MaxPasswordLen)
	ErrUserExists     = errors.New("desk: user already exists")
	ErrNoSuchUser     = errors.New("desk: no such user")
	ErrBadCredentials = errors.New("desk: wrong user name or password")
	ErrCorruptStore   = errors.New("desk: user store is corrupt")
)

// KDFParams are the argon2id parameters. DefaultKDF follows RFC 9106 §4's
// second recommended option (64 MiB, 3 passes) with 2 lanes for small
// servers: about 100 ms per sign-in on one core. The parameters are stored
// with each hash, so raising them later keeps old hashes valid.
type KDFParams struct {
	Time    uint32
	MemKiB  uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// DefaultKDF is used for new passwords.
var DefaultKDF = KDFParams{Time: 3, MemKiB: 64 * 1024, Threads: 2, KeyLen: 32, SaltLen: 16}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// User is a desk user as others see it (never the hash).
type User struct {
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
}

type storedUser struct {
	User
	Hash string `json:"hash"` // $argon2id$v=19$m=…,t=…,p=…$salt$key (PHC string)
}

type usersFile struct {
	Version int          `json:"version"`
	Users   []storedUser `json:"users"`
}

// Users is the user store: DataDir/users.json, mode 0600, rewritten
// atomically (temporary file, fsync, rename). It reloads the file when it
// changes on disk, so `yuecall user add` takes effect in a running server.
type Users struct {
	path string
	kdf  KDFParams

	mu    sync.Mutex
	users map[string]storedUser
	stamp fileStamp
	dummy string // a hash verified for unknown names, so timing does not reveal them
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// OpenUsers opens (creating dir if needed) the store in dir.
func OpenUsers(dir string) (*Users, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("desk: users dir: %w", err)
	}
	u := &Users{path: filepath.Join(dir, UsersFile), kdf: DefaultKDF, users: map[string]storedUser{}}
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.reloadLocked(true); err != nil {
		return nil, err
	}
	return u, nil
}

// ValidName reports whether name is acceptable as a user name.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// ValidRole reports whether role is one of the three desk roles.
func ValidRole(role string) bool {
	return role == RoleAgent || role == RoleSupervisor || role == RoleCompliance
}

// Add creates a user. The password is hashed with argon2id and a fresh salt.
func (u *Users) Add(name, role, password string) error {
	if !ValidName(name) {
		return ErrBadName
	}
	if !ValidRole(role) {
		return ErrBadRole
	}
	if len(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		return ErrBadPassword
	}
	hash, err := hashPassword(password, u.kdf)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.reloadLocked(false); err != nil {
		return err
	}
	if _, ok := u.users[name]; ok {
		return ErrUserExists
	}
	next := u.copyLocked()
	next[name] = storedUser{User: User{Name: name, Role: role, Created: time.Now().UTC().Truncate(time.Second)}, Hash: hash}
	return u.saveLocked(next)
}

// Remove deletes a user.
func (u *Users) Remove(name string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.reloadLocked(false); err != nil {
		return err
	}
	if _, ok := u.users[name]; !ok {
		return ErrNoSuchUser
	}
	next := u.copyLocked()
	delete(next, name)
	return u.saveLocked(next)
}

// List returns the users sorted by name.
func (u *Users) List() []User {
	u.mu.Lock()
	defer u.mu.Unlock()
	_ = u.reloadLocked(false) // on error keep serving the last good copy
	out := make([]User, 0, len(u.users))
	for _, s := range u.users {
		out = append(out, s.User)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns a user by name (re-reading the file if it changed).
func (u *Users) Lookup(name string) (User, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	_ = u.reloadLocked(false)
	s, ok := u.users[name]
	return s.User, ok
}

// Verify checks a password in constant time and returns the user, or
// ErrBadCredentials (the same error for an unknown name).
func (u *Users) Verify(name, password string) (User, error) {
	u.mu.Lock()
	_ = u.reloadLocked(false)
	s, ok := u.users[name]
	if !ok {
		if u.dummy == "" {
			u.dummy, _ = hashPassword("not a password at all", u.kdf)
		}
		s.Hash = u.dummy
	}
	u.mu.Unlock()
	good := checkPassword(password, s.Hash)
	if !ok || !good || len(password) > MaxPasswordLen {
		return User{}, ErrBadCredentials
	}
	return s.User, nil
}

func (u *Users) copyLocked() map[string]storedUser {
	next := make(map[string]storedUser, len(u.users)+1)
	for k, v := range u.users {
		next[k] = v
	}
	return next
}

// reloadLocked reads the file if it changed since the last read.
func (u *Users) reloadLocked(force bool) error {
	st, err := os.Stat(u.path)
	if errors.Is(err, os.ErrNotExist) {
		u.users, u.stamp = map[string]storedUser{}, fileStamp{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("desk: users: %w", err)
	}
	stamp := fileStamp{mod: st.ModTime(), size: st.Size()}
	if !force && stamp == u.stamp {
		return nil
	}
	b, err := os.ReadFile(u.path)
	if err != nil {
		return fmt.Errorf("desk: users: %w", err)
	}
	var f usersFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 {
		return fmt.Errorf("%w: %s", ErrCorruptStore, u.path)
	}
	m := make(map[string]storedUser, len(f.Users))
	for _, s := range f.Users {
		if ValidName(s.Name) && ValidRole(s.Role) {
			m[s.Name] = s
		}
	}
	u.users, u.stamp = m, stamp
	return nil
}

// saveLocked writes next atomically and adopts it.
func (u *Users) saveLocked(next map[string]storedUser) error {
	f := usersFile{Version: 1}
	for _, s := range next {
		f.Users = append(f.Users, s)
	}
	sort.Slice(f.Users, func(i, j int) bool { return f.Users[i].Name < f.Users[j].Name })
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(u.path, append(b, '\n')); err != nil {
		return fmt.Errorf("desk: users: %w", err)
	}
	u.users = next
	if st, err := os.Stat(u.path); err == nil {
		u.stamp = fileStamp{mod: st.ModTime(), size: st.Size()}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".users-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func hashPassword(password string, p KDFParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("desk: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemKiB, p.Threads, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkPassword verifies password against a PHC argon2id string.
func checkPassword(password, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p KDFParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemKiB, &p.Time, &p.Threads); err != nil {
		return false
	}
	// bounds: a hash in the file may not make one check cost more than
	// 256 MiB or 1 GiB·pass (our own default is 64 MiB × 3)
	if p.MemKiB < 8 || p.MemKiB > 256<<10 || p.Time < 1 || uint64(p.Time)*uint64(p.MemKiB) > 1<<20 || p.Threads < 1 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
