package config

import (
	"fmt"
	"strings"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// Problem is one thing wrong (or worth a warning) in a config or dataset
// file, located so that a person can go straight to it.
type Problem struct {
	Pos     dataset.Position
	Field   string // Dotted path of the offending field, e.g. observations[3].value.
	Message string
}

// String formats the problem as file:line:column: field: message.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Pos.File)
	if p.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Pos.Line, p.Pos.Column)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is the error returned when loading fails: every problem found, in
// file order, so that one run of check shows them all.
type Error struct {
	Problems []Problem
}

// Error joins the problems one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects errors and warnings while a file is read.
type problems struct {
	errors   []Problem
	warnings []Problem
}

func (ps *problems) errorf(pos dataset.Position, field, format string, args ...any) {
	ps.errors = append(ps.errors, Problem{Pos: pos, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) warnf(pos dataset.Position, field, format string, args ...any) {
	ps.warnings = append(ps.warnings, Problem{Pos: pos, Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns the collected errors as an *Error, or nil when there are none.
func (ps *problems) err() error {
	if len(ps.errors) == 0 {
		return nil
	}
	return &Error{Problems: ps.errors}
}
