package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// Problem is one thing wrong (or worth a warning) in a config or dataset
// file, located so that a person can go straight to it.
type Problem struct {
	Pos     dataset.Position
	Field   string // Dotted path of the offending field, e.g. observations[3].value.
	Message string
	// Kind says what a warning is about; empty for an error.
	Kind Kind
	// Figures are the figures a warning is about, best rank first for a
	// settlement; none for most errors.
	Figures []*dataset.Observation
}

// Kind is what a warning is about, so that check --strict, the report and
// the pages tell warnings apart without reading their messages.
type Kind string

// The kinds of warnings.
const (
	// KindConflict: figures of a series disagree and none is served.
	KindConflict Kind = "unresolved conflict"
	// KindRevision: a figure is replaced by one that outranks it.
	KindRevision Kind = "revision"
	// KindDispute: figures of a series disagree with each other, and one
	// that outranks them all is served.
	KindDispute Kind = "dispute"
	// KindSeriesBreak: the basis of a series changes over the years.
	KindSeriesBreak Kind = "series break"
	// KindConfirmation: a figure agrees with the one served.
	KindConfirmation Kind = "confirmation"
	// KindQualifier: a figure is approximate or a bound.
	KindQualifier Kind = "qualifier"
	// KindQuote: a figure's quote does not show its value.
	KindQuote Kind = "quote"
	// KindDefinition: a region or programme is defined differently by two datasets.
	KindDefinition Kind = "definition"
	// KindSkipped: rows of a table, SDMX or ILOSTAT file were not read, as
	// their codes are not mapped.
	KindSkipped Kind = "skipped rows"
)

// Kinds lists the kinds of warnings, those that change what is served first.
var Kinds = []Kind{KindConflict, KindRevision, KindDispute, KindSeriesBreak, KindSkipped, KindDefinition, KindQuote, KindConfirmation, KindQualifier}

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

// The bounds of a problem in a Summary. Field names and the values messages
// quote fit easily; a CSV header cell that swallowed a whole line of some
// other file, or the rest of a file through an open quote, does not.
const (
	summaryFieldRunes   = 80
	summaryMessageRunes = 240
)

// Summary formats the problems for a log line or an HTTP answer, which a
// file of a hundred thousand bad rows must not turn into megabytes, nor any
// file into a copy of itself: each problem once, at most perFile of each
// file's problems in the order found (all when perFile <= 0), then how many
// that file has besides. The field and message of each are cut to a sane
// length, and control characters are escaped so that one problem stays one
// line. check lists every problem in full.
func (e *Error) Summary(perFile int) string {
	type fileProblems struct {
		shown []string
		more  int
	}
	var files []string
	byFile := map[string]*fileProblems{}
	type said struct {
		pos            dataset.Position
		field, message string
	}
	seen := make(map[said]bool, len(e.Problems))
	for _, p := range e.Problems {
		if seen[said{p.Pos, p.Field, p.Message}] {
			continue
		}
		seen[said{p.Pos, p.Field, p.Message}] = true
		fp := byFile[p.Pos.File]
		if fp == nil {
			fp = &fileProblems{}
			byFile[p.Pos.File] = fp
			files = append(files, p.Pos.File)
		}
		if perFile > 0 && len(fp.shown) >= perFile {
			fp.more++
			continue
		}
		short := p
		short.Pos.File = clip(p.Pos.File, summaryMessageRunes)
		short.Field, short.Message = clip(p.Field, summaryFieldRunes), clip(p.Message, summaryMessageRunes)
		fp.shown = append(fp.shown, short.String())
	}
	var b strings.Builder
	for _, f := range files {
		fp := byFile[f]
		for _, line := range fp.shown {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		if fp.more > 0 {
			fmt.Fprintf(&b, "%s: %d more problem(s) not shown (socsec_exporter check lists them all)\n", clip(f, summaryMessageRunes), fp.more)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// clip cuts s to at most n runes, marking a cut with "…", and escapes
// control characters (and shows invalid UTF-8 as U+FFFD).
func clip(s string, n int) string {
	var b strings.Builder
	runes := 0
	for _, r := range s {
		if runes == n {
			b.WriteString("…")
			break
		}
		runes++
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// problems collects errors and warnings while a file is read.
type problems struct {
	errors   []Problem
	warnings []Problem
}

func (ps *problems) errorf(pos dataset.Position, field, format string, args ...any) {
	ps.errors = append(ps.errors, Problem{Pos: pos, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) warnf(kind Kind, figures []*dataset.Observation, pos dataset.Position, field, format string, args ...any) {
	ps.warnings = append(ps.warnings, Problem{Pos: pos, Field: field, Message: fmt.Sprintf(format, args...), Kind: kind, Figures: figures})
}

// err returns the collected errors as an *Error, or nil when there are none.
func (ps *problems) err() error {
	if len(ps.errors) == 0 {
		return nil
	}
	return &Error{Problems: ps.errors}
}
