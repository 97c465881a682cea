package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/socsec-exporter/socsec_exporter/config"
	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
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
	// Strict makes an unresolved conflict an error rather than a warning.
	Strict bool
	// Stderr, when set, receives the errors, one line each, and the line
	// saying that the check failed: in the text format instead of the
	// report, in the JSON format beside it, so that the report keeps its
	// form. Nil leaves them in the report alone.
	Stderr io.Writer
}

// checkReport is everything check found; its JSON form is the json format.
type checkReport struct {
	Status     string           `json:"status"` // ok, invalid or inconsistent.
	Errors     []problemReport  `json:"errors"`
	Warnings   []problemReport  `json:"warnings"`
	Settlement settlementReport `json:"settlement"`
	Checks     []checkResult    `json:"checks"`
	Summary    checkSummary     `json:"summary"`
}

// settlementReport is how the figures published more than once were
// settled, each with every figure involved.
type settlementReport struct {
	Revisions     []settledReport `json:"revisions"`
	Confirmations []settledReport `json:"confirmations"`
	// Disputes are series served although some of their figures disagree
	// with each other, as a figure that outranks them all is served.
	Disputes  []settledReport `json:"disputes"`
	Conflicts []settledReport `json:"unresolved_conflicts"`
}

type settledReport struct {
	Series  seriesReport   `json:"series"`
	Served  *figureReport  `json:"served"`  // nil for a conflict.
	Figures []figureReport `json:"figures"` // Revised, confirming, disputed or in conflict.
	first   *dataset.Observation
}

type seriesReport struct {
	Metric     string            `json:"metric"`
	Region     string            `json:"region_code"`
	Program    string            `json:"program,omitempty"`
	Year       int               `json:"year"`
	Period     string            `json:"period,omitempty"`
	Basis      string            `json:"basis,omitempty"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
}

type figureReport struct {
	Value     float64  `json:"value"`
	Printed   string   `json:"printed,omitempty"`
	Qualifier string   `json:"qualifier"`
	Precision float64  `json:"precision"`
	Dataset   string   `json:"dataset"`
	Source    string   `json:"source"`
	Authority int      `json:"authority"`
	Published string   `json:"published"` // Empty when the source is undated.
	Released  string   `json:"released"`
	Flags     []string `json:"flags,omitempty"`
	Quote     string   `json:"quote,omitempty"`
	Locator   string   `json:"locator,omitempty"`
	Note      string   `json:"note,omitempty"`
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
}

func newSeriesReport(o *dataset.Observation) seriesReport {
	r := seriesReport{Metric: o.Indicator.Name, Region: o.Region, Program: o.Program, Year: o.Year, Period: o.Period, Basis: o.Basis}
	for i, d := range o.Indicator.Dimensions {
		if r.Dimensions == nil {
			r.Dimensions = map[string]string{}
		}
		r.Dimensions[d] = o.Dimensions[i]
	}
	return r
}

func newFigureReport(o *dataset.Observation) figureReport {
	return figureReport{Value: o.Value, Printed: o.Printed(), Qualifier: string(o.Qualifier), Precision: o.Precision,
		Dataset: o.Dataset.ID, Source: o.Source.ID, Authority: o.Source.Authority,
		Published: dataset.DateOnly(o.Source.Published), Released: dataset.DateOnly(o.Source.Released), Flags: o.Flags(), Quote: o.Quote(), Locator: o.Locator(), Note: o.Note(),
		File: o.Pos.File, Line: o.Pos.Line, Column: o.Pos.Column}
}

func newSettlementReport(s *dataset.Snapshot) settlementReport {
	r := settlementReport{Revisions: []settledReport{}, Confirmations: []settledReport{}, Disputes: []settledReport{}, Conflicts: []settledReport{}}
	// Revisions and confirmations come series by series: each series is
	// one entry with every figure revised or confirming.
	group := func(into *[]settledReport, served, figure *dataset.Observation) {
		if n := len(*into); n > 0 && dataset.CompareKeys((*into)[n-1].first, figure) == 0 {
			(*into)[n-1].Figures = append((*into)[n-1].Figures, newFigureReport(figure))
			return
		}
		sr := settledReport{Series: newSeriesReport(figure), Figures: []figureReport{newFigureReport(figure)}, first: figure}
		if served != nil {
			f := newFigureReport(served)
			sr.Served = &f
		}
		*into = append(*into, sr)
	}
	for _, rv := range s.Revisions {
		group(&r.Revisions, rv.Served, rv.Old)
	}
	for _, c := range s.Confirmations {
		group(&r.Confirmations, c.Served, c.Figure)
	}
	for _, d := range s.Disputes {
		for _, o := range d.Figures {
			group(&r.Disputes, d.Served, o)
		}
	}
	for _, c := range s.Conflicts {
		for _, o := range c.Figures {
			group(&r.Conflicts, nil, o)
		}
	}
	return r
}

type problemReport struct {
	Kind    config.Kind `json:"kind,omitempty"` // Of a warning.
	File    string      `json:"file"`
	Line    int         `json:"line,omitempty"`
	Column  int         `json:"column,omitempty"`
	Field   string      `json:"field,omitempty"`
	Message string      `json:"message"`
	// Figures are those a warning is about, each with its series.
	Figures []checkFigure `json:"figures,omitempty"`
	text    string
}

// checkResult is a consistency check's result with the figures and the
// stated figures it read, so that a reader of the JSON needs no message.
type checkResult struct {
	Check    string         `json:"check"`
	Status   check.Status   `json:"status"` // ok, failed, acknowledged or unchecked.
	Subject  string         `json:"subject"`
	Message  string         `json:"message"`
	File     string         `json:"file"`
	Line     int            `json:"line"`
	Column   int            `json:"column"`
	Datasets []string       `json:"datasets"`
	Figures  []checkFigure  `json:"figures"`
	Reported []statedReport `json:"reported,omitempty"`
	// Acknowledged is what a dataset says of an acknowledged failure.
	Acknowledged *acknowledgedReport `json:"acknowledged,omitempty"`
}

// acknowledgedReport is a dataset's acknowledgement of a failed check: its
// reason and where it is written.
type acknowledgedReport struct {
	Reason  string `json:"reason"`
	Dataset string `json:"dataset"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

// checkFigure is a figure a check read: its series and the figure.
type checkFigure struct {
	Series seriesReport `json:"series"`
	figureReport
}

// statedReport is a growth rate or change a source stated, as a reported
// check reads it.
type statedReport struct {
	Kind      string  `json:"kind"`
	FromYear  int     `json:"from_year"`
	ToYear    int     `json:"to_year"`
	Value     float64 `json:"value"`
	Printed   string  `json:"printed,omitempty"`
	Precision float64 `json:"precision"`
	Dataset   string  `json:"dataset"`
	Source    string  `json:"source"`
	File      string  `json:"file"`
	Line      int     `json:"line"`
	Column    int     `json:"column"`
}

func newCheckResult(r check.Result) checkResult {
	c := checkResult{Check: r.Check, Status: r.Status, Subject: r.Subject, Message: r.Message,
		File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Column, Datasets: r.Datasets, Figures: []checkFigure{}}
	for _, o := range r.Figures {
		c.Figures = append(c.Figures, checkFigure{newSeriesReport(o), newFigureReport(o)})
	}
	for _, s := range r.Reported {
		c.Reported = append(c.Reported, statedReport{Kind: s.Kind, FromYear: s.FromYear, ToYear: s.ToYear,
			Value: s.Value, Printed: s.Printed, Precision: s.Precision, Dataset: s.Dataset.ID, Source: s.Source.ID,
			File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Column})
	}
	if a := r.Acknowledgement; a != nil {
		c.Acknowledged = &acknowledgedReport{Reason: a.Reason, Dataset: a.Dataset.ID, File: a.Pos.File, Line: a.Pos.Line, Column: a.Pos.Column}
	}
	return c
}

type checkSummary struct {
	Datasets     int `json:"datasets"`
	Series       int `json:"series"`
	Revisions    int `json:"revisions"`
	Conflicts    int `json:"unresolved_conflicts"`
	Errors       int `json:"errors"`
	Warnings     int `json:"warnings"`
	Checks       int `json:"checks"`
	FailedChecks int `json:"failed_checks"`
	// AcknowledgedChecks failed, and a dataset acknowledges them; they are
	// not counted as failed.
	AcknowledgedChecks int `json:"acknowledged_checks"`
	// UncheckedChecks could not be made for want of a figure; they fail nothing.
	UncheckedChecks int `json:"unchecked_checks"`
}

// Check validates the config and datasets, runs the consistency checks on
// the figures, and writes a report to w. The text report has one line per
// problem (file:line:column: field: message, warnings as field: warning:
// message) and one per consistency check, then a summary; with co.Stderr
// set, the errors and the summary of a failed check go there instead. It returns
// CheckInvalid on any config or dataset error (no consistency check runs
// then), CheckInconsistent when a consistency check fails and
// co.ConsistencyFatal is set, and CheckOK otherwise.
func Check(w io.Writer, opts config.Options, co CheckOptions) int {
	rep := newCheckReport(opts, co.Strict)
	if co.Format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// Writing to stdout fails only when nobody reads it; the exit code says the rest.
		_ = enc.Encode(rep)
		if co.Stderr != nil {
			rep.writeErrors(co.Stderr)
		}
	} else {
		errw := co.Stderr
		if errw == nil {
			errw = w
		}
		rep.writeText(w, errw)
	}
	switch {
	case rep.Status == "invalid":
		return CheckInvalid
	case rep.Status == "inconsistent" && co.ConsistencyFatal:
		return CheckInconsistent
	}
	return CheckOK
}

func newCheckReport(opts config.Options, strict bool) *checkReport {
	res, err := config.Load(opts)
	rep := &checkReport{Status: "ok", Errors: []problemReport{}, Warnings: []problemReport{}, Checks: []checkResult{}}
	for _, p := range res.Warnings {
		if strict && p.Kind == config.KindConflict {
			rep.Errors = append(rep.Errors, newProblemReport(p, ""))
			continue
		}
		rep.Warnings = append(rep.Warnings, newProblemReport(p, "warning: "))
	}
	rep.Summary.Warnings = len(rep.Warnings)
	if err != nil || len(rep.Errors) > 0 {
		rep.Status = "invalid"
		if cerr := (*config.Error)(nil); errors.As(err, &cerr) {
			rep.Errors = rep.Errors[:0] // The load's problems list every error, conflicts with --strict too.
			for _, p := range cerr.Problems {
				rep.Errors = append(rep.Errors, newProblemReport(p, ""))
			}
		} else if err != nil {
			rep.Errors = append(rep.Errors, problemReport{Message: err.Error(), text: err.Error()})
		}
		rep.Summary.Errors = len(rep.Errors)
		return rep
	}
	s := res.Snapshot
	rep.Settlement = newSettlementReport(s)
	rep.Summary.Datasets, rep.Summary.Series, rep.Summary.Revisions = len(s.Datasets), len(s.Series), len(s.Revisions)
	rep.Summary.Conflicts = len(s.Conflicts)
	results := check.Run(s)
	for _, r := range results {
		rep.Checks = append(rep.Checks, newCheckResult(r))
		switch r.Status {
		case check.Failed:
			rep.Summary.FailedChecks++
			rep.Status = "inconsistent"
		case check.Acknowledged:
			rep.Summary.AcknowledgedChecks++
		case check.Unchecked:
			rep.Summary.UncheckedChecks++
		}
	}
	rep.Summary.Checks = len(rep.Checks)
	for _, st := range check.Stale(s.Datasets, results) {
		rep.Warnings = append(rep.Warnings, newProblemReport(staleProblem(st), "warning: "))
	}
	rep.Summary.Warnings = len(rep.Warnings)
	return rep
}

// staleProblem is the warning about an acknowledgement that no failed
// check matches, saying what became of the check it names.
func staleProblem(st check.StaleAcknowledgement) config.Problem {
	became := "is not made (no such figure or reported figure of the dataset is checked)"
	switch st.Status {
	case check.OK:
		became = "passes"
	case check.Unchecked:
		became = "cannot be made for want of a figure"
	}
	i := slices.Index(st.Dataset.Acknowledged, st.Acknowledgement)
	return config.Problem{Pos: st.Pos, Field: fmt.Sprintf("acknowledged[%d]", i), Kind: config.KindStaleAcknowledgement,
		Message: fmt.Sprintf("stale acknowledgement: the %s check of %s %s, so there is no failure to acknowledge; remove the acknowledgement",
			st.Check, check.Subject(st.Figure), became)}
}

// newProblemReport keeps a problem's parts for JSON and its usual
// file:line:column: field: message line for text, with prefix before the message.
func newProblemReport(p config.Problem, prefix string) problemReport {
	r := problemReport{Kind: p.Kind, File: p.Pos.File, Line: p.Pos.Line, Column: p.Pos.Column, Field: p.Field, Message: p.Message}
	for _, o := range p.Figures {
		r.Figures = append(r.Figures, checkFigure{newSeriesReport(o), newFigureReport(o)})
	}
	p.Message = prefix + p.Message
	r.text = p.String()
	return r
}

// groupedKinds are the warnings the text report counts rather than lists
// when there are many, so that dozens of qualified figures never bury a
// revision: qualifier notes and confirmations, which need no action.
var groupedKinds = map[config.Kind]string{
	config.KindQualifier:    "qualified figures (approximately, at_least, at_most)",
	config.KindConfirmation: "figures confirmed by another source",
}

// groupAbove is how many warnings of a grouped kind are listed one by one.
const groupAbove = 5

// writeErrors writes each error of an invalid report, then the line saying
// the check failed; it writes nothing for a valid one.
func (rep *checkReport) writeErrors(w io.Writer) {
	if rep.Status != "invalid" {
		return
	}
	for _, p := range rep.Errors {
		fmt.Fprintln(w, p.text)
	}
	fmt.Fprintf(w, "check failed: %d error(s), %d warning(s)\n", rep.Summary.Errors, rep.Summary.Warnings)
}

// writeText writes the text report to w, but for its errors and the summary
// of a failed check, which go to errw.
func (rep *checkReport) writeText(w, errw io.Writer) {
	counts := map[config.Kind]int{}
	for _, p := range rep.Warnings {
		counts[p.Kind]++
	}
	for _, p := range rep.Warnings {
		if _, grouped := groupedKinds[p.Kind]; !grouped || counts[p.Kind] <= groupAbove {
			fmt.Fprintln(w, p.text)
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(groupedKinds)) {
		if n := counts[kind]; n > groupAbove {
			fmt.Fprintf(w, "warning: %d %s, not listed (check --format=json lists them)\n", n, groupedKinds[kind])
		}
	}
	rep.writeErrors(errw)
	for _, c := range rep.Checks {
		verdict, message := string(c.Status), c.Message
		if c.Status == check.Failed {
			verdict = "FAIL"
		}
		if a := c.Acknowledged; a != nil {
			message += fmt.Sprintf("; acknowledged at %s: %s", dataset.Position{File: a.File, Line: a.Line, Column: a.Column}, a.Reason)
		}
		pos := dataset.Position{File: c.File, Line: c.Line, Column: c.Column}
		fmt.Fprintf(w, "%s: %s: %s: %s: %s\n", pos, c.Check, verdict, c.Subject, message)
	}
	s := rep.Summary
	// Acknowledged failures are counted only where there are some, beside the unchecked checks.
	unchecked := fmt.Sprintf("%d unchecked", s.UncheckedChecks)
	if s.AcknowledgedChecks > 0 {
		unchecked = fmt.Sprintf("%d acknowledged, %s", s.AcknowledgedChecks, unchecked)
	}
	switch rep.Status {
	case "invalid":
		// Written with the errors, by writeErrors.
	case "inconsistent":
		fmt.Fprintf(w, "check passed with inconsistent figures: %d of %d consistency check(s) failed, %s; %d dataset(s), %d series, %d revision(s), %d unresolved conflict(s), %d warning(s)\n",
			s.FailedChecks, s.Checks, unchecked, s.Datasets, s.Series, s.Revisions, s.Conflicts, s.Warnings)
	default:
		fmt.Fprintf(w, "check passed: %d dataset(s), %d series, %d revision(s), %d unresolved conflict(s), %d warning(s), %d consistency check(s), %s\n",
			s.Datasets, s.Series, s.Revisions, s.Conflicts, s.Warnings, s.Checks, unchecked)
	}
}
