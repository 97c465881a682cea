package main

import (
	"text/template"

	"github.com/alecthomas/kingpin/v2"
)

// usageTemplate is the help of socsec_exporter. A command's help lists its
// own flags and arguments first, then the flags every command takes. The
// help without a command lists the commands, then the flags of serve, as
// running socsec_exporter without a command serves, then the flags every
// command takes.
const usageTemplate = `{{with .Context.SelectedCommand -}}
usage: {{FormatCommandUsage $.App .}}

{{.Help|Wrap 0}}
{{- if .Flags}}
Flags of {{.FullCommand}}:
{{.Flags|FlagsToTwoColumns|FormatTwoColumns}}
{{- end}}
{{- if .Args}}
Arguments of {{.FullCommand}}:
{{.Args|ArgsToTwoColumns|FormatTwoColumns}}
{{- end}}
{{- else -}}
usage: {{.App.Name}} [<command>] [<flags>] [<args> ...]

{{.App.Help|Wrap 0}}
Commands:
{{.App.Commands|CommandsToTwoColumns|FormatTwoColumns}}
{{- range .App.Commands}}{{if .Default}}
Flags of {{.FullCommand}}, the default command:
{{.Flags|FlagsToTwoColumns|FormatTwoColumns}}
{{- end}}{{end}}
{{- end}}
Flags of every command:
{{.App.Flags|FlagsToTwoColumns|FormatTwoColumns}}
{{- if not .Context.SelectedCommand}}
Run {{.App.Name}} <command> --help for the flags of a command.
{{end -}}
`

// usageFuncs are the functions usageTemplate adds to kingpin's.
var usageFuncs = template.FuncMap{
	// CommandsToTwoColumns lists each command that is not hidden with its
	// help, the default command marked.
	"CommandsToTwoColumns": func(cmds []*kingpin.CmdModel) [][2]string {
		var rows [][2]string
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			name := c.FullCommand
			if c.Default {
				name += " (default)"
			}
			rows = append(rows, [2]string{name, c.Help})
		}
		return rows
	},
}
