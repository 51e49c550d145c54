package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

func configPath(fs *flag.FlagSet, args []string) (string, error) {
	path := fs.String("config", os.Getenv("YUECALL_CONFIG"), "YAML configuration file (YUECALL_CONFIG)")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	return *path, nil
}

func cmdConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "yuecall config: want env or check")
		return 2
	}
	switch args[0] {
	case "env":
		fmt.Fprintln(stdout, "| variable | YAML key | default | meaning |")
		fmt.Fprintln(stdout, "|---|---|---|---|")
		fmt.Fprintln(stdout, "| `YUECALL_CONFIG` | — | — | path of the YAML file (or `-config`) |")
		for _, v := range envVars {
			fmt.Fprintf(stdout, "| `%s` | `%s` | `%s` | %s |\n", v.Name, v.Key, v.Default, v.Doc)
		}
		return 0
	case "check":
		fs := flag.NewFlagSet("config check", flag.ContinueOnError)
		fs.SetOutput(stderr)
		path, err := configPath(fs, args[1:])
		if err != nil {
			return 2
		}
		cfg, err := LoadConfig(path, os.Getenv)
		if err != nil {
			fmt.Fprintf(stderr, "yuecall: %v\n", err)
			return 1
		}
		b, _ := yaml.Marshal(cfg)
		stdout.Write(b)
		return 0
	}
	fmt.Fprintf(stderr, "yuecall config: unknown %q\n", args[0])
	return 2
}
