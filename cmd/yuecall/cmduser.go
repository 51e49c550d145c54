package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/yuecall/yuecall/desk"
)

const userUsage = `yuecall user — desk users (agent, supervisor, compliance)

  yuecall user add NAME --role agent|supervisor|compliance --password-stdin
  yuecall user list
  yuecall user remove NAME

The password is read from the first line of standard input (pipe it in;
it is never printed). Users live in DATA_DIR/users.json (mode 0600,
argon2id hashes). DATA_DIR is -data, else YUECALL_DATA_DIR, else the
data_dir of -config FILE (YUECALL_CONFIG), else serve's default.
`

// cmdUser manages the desk's users in the data directory.
func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, userUsage)
		return 2
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory (default: YUECALL_DATA_DIR, the config's data_dir, or serve's default)")
	cfgPath := fs.String("config", os.Getenv("YUECALL_CONFIG"), "YAML configuration file (YUECALL_CONFIG)")
	role := fs.String("role", "", "agent, supervisor or compliance (add)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input (add)")
	name, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return 2
	}
	dir, err := userDataDir(*data, *cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall user: %v\n", err)
		return 1
	}
	users, err := desk.OpenUsers(dir)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall user: %v\n", err)
		return 1
	}
	switch args[0] {
	case "add":
		return userAdd(users, name, *role, *pwStdin, stdin, stdout, stderr)
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED")
		for _, u := range users.List() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.Role, u.Created.Format("2006-01-02 15:04"))
		}
		tw.Flush()
		return 0
	case "remove":
		if name == "" {
			fmt.Fprintln(stderr, "yuecall user remove: want NAME")
			return 2
		}
		if err := users.Remove(name); err != nil {
			fmt.Fprintf(stderr, "yuecall user remove: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "removed %s (their open sessions end at their next request)\n", name)
		return 0
	}
	fmt.Fprintf(stderr, "yuecall user: unknown %q\n\n%s", args[0], userUsage)
	return 2
}

// parseInterleaved accepts flags before and after the one NAME argument.
func parseInterleaved(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	name := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments %q\n", fs.Args())
		return "", errors.New("extra arguments")
	}
	return name, nil
}

func userDataDir(flagDir, cfgPath string) (string, error) {
	if flagDir != "" {
		return flagDir, nil
	}
	if d := os.Getenv("YUECALL_DATA_DIR"); d != "" {
		return d, nil
	}
	if cfgPath != "" {
		cfg, err := LoadConfig(cfgPath, os.Getenv)
		if err != nil {
			return "", err
		}
		return cfg.DataDir, nil
	}
	return defaultDataDir(), nil
}

func userAdd(users *desk.Users, name, role string, pwStdin bool, stdin io.Reader, stdout, stderr io.Writer) int {
	if name == "" || role == "" || !pwStdin {
		fmt.Fprintln(stderr, "yuecall user add: want NAME --role agent|supervisor|compliance --password-stdin")
		return 2
	}
	pw, err := readPassword(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall user add: %v\n", err)
		return 1
	}
	if err := users.Add(name, role, pw); err != nil {
		fmt.Fprintf(stderr, "yuecall user add: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "added %s (%s)\n", name, role)
	return 0
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, desk.MaxPasswordLen+2), desk.MaxPasswordLen+2).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
