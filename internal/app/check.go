package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/socsec-exporter/socsec_exporter/check"
	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// The exit codes of Check. Failed consistency checks exit 0 unless made
// fatal, as lint problems do in promtool check rules: a dataset must record
// what its sources published even when the sources disagree, so their
// disagreement is reported, and exported as socsec_dataset_check_failures,
// rather than treated as a broken dataset.
const (
	CheckOK           = 0
	CheckInvalid      = 1
	CheckInconsistent = 3
)

// The report formats of Check.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// CheckOptions are the settings of the check command beyond the load.
type CheckOptions struct {
	Format string // FormatText or FormatJSON.
	// ConsistencyFatal makes a failed consistency check exit CheckInconsistent.
	ConsistencyFatal bool
}

// checkReport is everything check found; its JSON form is the json format.
type checkReport struct {
	Status   string          `json:"status"` // ok, invalid or inconsistent.
	Errors   []problemReport `json:"errors"`
	Warnings []problemReport `json:"warnings"`
	Checks   []checkResult   `json:"checks"`
	Summary  checkSummary    `json:"summary"`
}

type problemReport struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	text    string
}

type checkResult struct {
	Check    string   `json:"check"`
	OK       bool     `json:"ok"`
	Subject  string   `json:"subject"`
	Message  string   `json:"message"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Datasets []string `json:"datasets"`
}

type checkSummary struct {
	Datasets     int `json:"datasets"`
	Series       int `json:"series"`
	Revisions    int `json:"revisions"`
	Errors       int `json:"errors"`
	Warnings     int `json:"warnings"`
	Checks       int `json:"checks"`
	FailedChecks int `json:"failed_checks"`
}

// Check validates the config and datasets, runs the consistency checks on
// the figures, and writes a report to w. The text report has one line per
// problem (file:line:column: field: message, warnings as field: warning:
// message) and one per consistency check, then a summary. It returns
// CheckInvalid on any config or dataset error (no consistency check runs
// then), CheckInconsistent when a consistency check fails and
// co.ConsistencyFatal is set, and CheckOK otherwise.
func Check(w io.Writer, opts config.Options, co CheckOptions) int {
	rep := newCheckReport(opts)
	if co.Format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// Writing to stdout fails only when nobody reads it; the exit code says the rest.
		_ = enc.Encode(rep)
	} else {
		rep.writeText(w)
	}
	switch {
	case rep.Status == "invalid":
		return CheckInvalid
	case rep.Status == "inconsistent" && co.ConsistencyFatal:
		return CheckInconsistent
	}
	return CheckOK
}

func newCheckReport(opts config.Options) *checkReport {
	res, err := config.Load(opts)
	rep := &checkReport{Status: "ok", Errors: []problemReport{}, Warnings: []problemReport{}, Checks: []checkResult{}}
	for _, p := range res.Warnings {
		rep.Warnings = append(rep.Warnings, newProblemReport(p, "warning: "))
	}
	rep.Summary.Warnings = len(rep.Warnings)
	if err != nil {
		rep.Status = "invalid"
		if cerr := (*config.Error)(nil); errors.As(err, &cerr) {
			for _, p := range cerr.Problems {
				rep.Errors = append(rep.Errors, newProblemReport(p, ""))
			}
		} else {
			rep.Errors = append(rep.Errors, problemReport{Message: err.Error(), text: err.Error()})
		}
		rep.Summary.Errors = len(rep.Errors)
		return rep
	}
	s := res.Snapshot
	rep.Summary.Datasets, rep.Summary.Series, rep.Summary.Revisions = len(s.Datasets), len(s.Series), len(s.Revisions)
	for _, r := range check.Run(s) {
		rep.Checks = append(rep.Checks, checkResult{
			Check: r.Check, OK: r.OK, Subject: r.Subject, Message: r.Message,
			File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Column, Datasets: r.Datasets,
		})
		if !r.OK {
			rep.Summary.FailedChecks++
			rep.Status = "inconsistent"
		}
	}
	rep.Summary.Checks = len(rep.Checks)
	return rep
}

// newProblemReport keeps a problem's parts for JSON and its usual
// file:line:column: field: message line for text, with prefix before the message.
func newProblemReport(p config.Problem, prefix string) problemReport {
	r := problemReport{File: p.Pos.File, Line: p.Pos.Line, Column: p.Pos.Column, Field: p.Field, Message: p.Message}
	p.Message = prefix + p.Message
	r.text = p.String()
	return r
}

func (rep *checkReport) writeText(w io.Writer) {
	for _, p := range rep.Warnings {
		fmt.Fprintln(w, p.text)
	}
	for _, p := range rep.Errors {
		fmt.Fprintln(w, p.text)
	}
	for _, c := range rep.Checks {
		verdict := "ok"
		if !c.OK {
			verdict = "FAIL"
		}
		pos := dataset.Position{File: c.File, Line: c.Line, Column: c.Column}
		fmt.Fprintf(w, "%s: %s: %s: %s: %s\n", pos, c.Check, verdict, c.Subject, c.Message)
	}
	s := rep.Summary
	switch rep.Status {
	case "invalid":
		fmt.Fprintf(w, "check failed: %d error(s), %d warning(s)\n", s.Errors, s.Warnings)
	case "inconsistent":
		fmt.Fprintf(w, "check passed with inconsistent figures: %d of %d consistency check(s) failed; %d dataset(s), %d series, %d revision(s), %d warning(s)\n",
			s.FailedChecks, s.Checks, s.Datasets, s.Series, s.Revisions, s.Warnings)
	default:
		fmt.Fprintf(w, "check passed: %d dataset(s), %d series, %d revision(s), %d warning(s), %d consistency check(s)\n",
			s.Datasets, s.Series, s.Revisions, s.Warnings, s.Checks)
	}
}
