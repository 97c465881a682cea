package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/alecthomas/kingpin/v2"
)

// flagInfo is what reading the arguments needs to know of a flag.
type flagInfo struct {
	command string // Empty for a flag of every command.
	isBool  bool
	hidden  bool
	// placeholder stands for the value in messages, e.g. CONFIG.FILE.
	placeholder string
}

// commandLine reads the arguments before kingpin parses them, to say what
// was expected where kingpin would say only "unexpected chek", or would take
// a flag without its value for a flag of the default command, and to put the
// command first, where kingpin looks for it.
type commandLine struct {
	name     string
	long     map[string]flagInfo
	short    map[string]string // The long name of each short flag.
	commands []*kingpin.CmdModel
}

func newCommandLine(a *kingpin.Application) *commandLine {
	m := a.Model()
	l := &commandLine{name: m.Name, long: map[string]flagInfo{}, short: map[string]string{}, commands: m.Commands}
	add := func(command string, flags []*kingpin.FlagModel) {
		for _, f := range flags {
			l.long[f.Name] = flagInfo{command: command, isBool: f.IsBoolFlag(), hidden: f.Hidden, placeholder: f.FormatPlaceHolder()}
			if f.Short != 0 {
				l.short[string(f.Short)] = f.Name
			}
		}
	}
	add("", m.Flags)
	for _, c := range m.Commands {
		add(c.FullCommand, c.Flags)
	}
	return l
}

// helpCommand is the command kingpin adds to an application with commands.
const helpCommand = "help"

// command returns the command named name, or nil; help, which kingpin
// adds when it first parses, is not one.
func (l *commandLine) command(name string) *kingpin.CmdModel {
	for _, c := range l.commands {
		if c.FullCommand == name {
			return c
		}
	}
	return nil
}

func (l *commandLine) defaultCommand() string {
	for _, c := range l.commands {
		if c.Default {
			return c.FullCommand
		}
	}
	return ""
}

// runs returns the command that runs when cmd is named, or none.
func (l *commandLine) runs(cmd string) string {
	if cmd == "" || cmd == helpCommand {
		return l.defaultCommand()
	}
	return cmd
}

// isFlag says whether kingpin reads arg as a flag rather than a value.
func isFlag(arg string) bool {
	return len(arg) > 1 && arg[0] == '-'
}

// read checks the arguments up to any "--" and returns them with the command
// first, or an error saying what was expected. The serving flags are read
// in front of the command too, where they have always been written: kingpin
// takes them as the default command's, and with serve named after them as an
// unexpected argument.
func (l *commandLine) read(args []string) ([]string, error) {
	cmd, at := "", -1
	var used []string // The flags given, by long name.
scan:
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			break scan
		case strings.HasPrefix(arg, "@"):
			// kingpin reads the arguments of the file named; so do the
			// messages of kingpin alone.
			return args, nil
		case strings.HasPrefix(arg, "--"):
			name, _, hasValue := strings.Cut(arg[2:], "=")
			f, ok := l.long[name]
			if !ok {
				if g, neg := l.long[strings.TrimPrefix(name, "no-")]; neg && g.isBool {
					f, ok, name = g, true, strings.TrimPrefix(name, "no-")
				}
			}
			switch {
			case !ok:
				return nil, l.unknownFlag("--"+name, cmd)
			case f.isBool && hasValue:
				return nil, l.usageError(cmd, "--%s takes no value: write --%s, or --no-%s to turn it off", name, name, name)
			case !f.isBool && !hasValue:
				if i+1 == len(args) || isFlag(args[i+1]) {
					return nil, l.usageError(cmd, "--%s needs a value: write --%s=%s", name, name, f.placeholder)
				}
				i++
			}
			used = append(used, name)
		case isFlag(arg):
			name, ok := l.short[arg[1:]]
			if !ok {
				return nil, l.unknownFlag(arg, cmd)
			}
			used = append(used, name)
		case cmd == "":
			if l.command(arg) == nil && arg != helpCommand {
				return nil, l.unknownCommand(arg)
			}
			cmd, at = arg, i
		case cmd == helpCommand:
			if l.command(arg) == nil {
				return nil, l.unknownCommand(arg)
			}
		case len(l.command(cmd).Args) == 0:
			return nil, l.usageError(cmd, "%s takes no arguments, got %q", cmd, arg)
		}
	}
	effective := l.runs(cmd)
	for _, name := range used {
		if f := l.long[name]; f.command != "" && f.command != effective && cmd != helpCommand {
			return nil, l.usageError(cmd, "--%s is a flag of %s, not of %s: write %s %s --%s…", name, f.command, effective, l.name, f.command, name)
		}
	}
	if at <= 0 {
		return args, nil
	}
	return slices.Concat([]string{cmd}, args[:at], args[at+1:]), nil
}

// helpHint is the line that follows a usage error: where to read what was
// expected.
func (l *commandLine) helpHint(cmd string) string {
	if cmd == "" || cmd == helpCommand || cmd == l.defaultCommand() {
		return fmt.Sprintf("run %s --help for the commands and the flags of %s", l.name, l.defaultCommand())
	}
	return fmt.Sprintf("run %s %s --help for its flags", l.name, cmd)
}

func (l *commandLine) usageError(cmd, format string, args ...any) error {
	return fmt.Errorf("%s\n%s", fmt.Sprintf(format, args...), l.helpHint(cmd))
}

func (l *commandLine) unknownCommand(name string) error {
	var names, listedNames []string
	for _, c := range l.commands {
		if c.Hidden {
			continue
		}
		names = append(names, c.FullCommand)
		if c.Default {
			listedNames = append(listedNames, c.FullCommand+" (the default)")
		} else {
			listedNames = append(listedNames, c.FullCommand)
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if near := nearest(name, names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return fmt.Errorf("%s: the commands are %s\n%s", msg, listed(listedNames), l.helpHint(""))
}

// unknownFlag names the flag most like the one given, and its command when
// it is not cmd's.
func (l *commandLine) unknownFlag(flag, cmd string) error {
	var names []string
	for name, f := range l.long {
		if !f.hidden {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	msg := "unknown flag " + flag
	if near := nearest(strings.TrimLeft(flag, "-"), names); near != "" {
		msg += fmt.Sprintf(": did you mean --%s?", near)
		if owner := l.long[near].command; owner != "" && owner != l.runs(cmd) {
			msg += fmt.Sprintf(" It is a flag of %s: %s %s --%s…", owner, l.name, owner, near)
		}
	}
	return errors.New(msg + "\n" + l.helpHint(cmd))
}

// listed joins names as a sentence does: "a, b and c".
func listed(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// nearest returns the name closest to s by edit distance, if it is close
// enough to be what was meant: at most a third of s's length away, or 2
// for a short s, or s is a part of it after a dot ("listen-address" for
// "web.listen-address").
func nearest(s string, names []string) string {
	best, bestDist := "", -1
	for _, n := range names {
		d := editDistance(s, n)
		if strings.HasSuffix(n, "."+s) {
			d = 0
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(s)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// valueError names the flag whose value kingpin refused: its own errors
// ("strconv.ParseInt: parsing \"x\": invalid syntax") do not. ctx is the
// parse of the arguments that failed with err.
func valueError(ctx *kingpin.ParseContext, err error) error {
	if ctx == nil {
		return err
	}
	for _, e := range ctx.Elements {
		f, ok := e.Clause.(*kingpin.FlagClause)
		if !ok || e.Value == nil {
			continue
		}
		// Setting the value again gives the same error; the process exits
		// after it, so the value set does not matter.
		if m := f.Model(); errorText(m.Value.Set(*e.Value)) == err.Error() {
			return fmt.Errorf("--%s=%s: %w", m.Name, *e.Value, err)
		}
	}
	return err
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
