// Package dataset is the data model of published social-security statistics:
// regions, programmes, sources, indicators and the observations that tie them
// together. It knows nothing of Prometheus or of file formats.
package dataset

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Qualifier says how a published figure relates to the true value.
type Qualifier string

// The qualifiers a source can attach to a figure ("more than 32.45 million" is AtLeast).
const (
	Exact         Qualifier = "exact"
	Approximately Qualifier = "approximately"
	AtLeast       Qualifier = "at_least"
	AtMost        Qualifier = "at_most"
)

// Qualifiers lists every qualifier in a stable order.
var Qualifiers = []Qualifier{Exact, Approximately, AtLeast, AtMost}

// Position is where something was written: a file, a 1-based line and column.
type Position struct {
	File   string
	Line   int
	Column int
}

// String formats the position as file:line:column.
func (p Position) String() string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// Region is a statistical area, such as a country, a province or a county.
type Region struct {
	Code   string // GB/T 2260 for China, e.g. 140000.
	Name   string
	NameEN string
	Level  string // country, province, city, county, ...
	Parent string // Code of the enclosing region, empty for a root.
	// Aliases are other codes observations may name the region by, such
	// as 100000 for the country; the code is what is served.
	Aliases []string
	Pos     Position // Where the code is written.
}

// Program is a social-security programme, such as basic pension insurance.
type Program struct {
	ID   string
	Name string
	Pos  Position // Where the id is written.
}

// Source is a publication that figures come from.
type Source struct {
	ID        string
	Title     string
	URL       string
	Publisher string
	// Published is the date the source appeared; zero when it carries none,
	// and then no date is ever made up for it.
	Published time.Time
	// Released is when the statistics were first released, for a source
	// that is a later copy (a yearbook, a reprint); zero when unknown.
	Released time.Time
	// Authority ranks sources whose figures disagree: lower wins (1 is the
	// producer's final release, 5 a press report).
	Authority int
}

// DefaultAuthority is the authority of a source that states none: that of a
// press report.
const DefaultAuthority = 5

// Date is when the source's figures were released: Released if known, else
// Published; zero for an undated source.
func (s *Source) Date() time.Time {
	if !s.Released.IsZero() {
		return s.Released
	}
	return s.Published
}

// DateText says when a source's figures came out: "released YYYY-MM-DD",
// "published YYYY-MM-DD" or "undated"; a date is never made up.
func (s *Source) DateText() string {
	switch {
	case !s.Released.IsZero():
		return "released " + s.Released.Format(time.DateOnly)
	case !s.Published.IsZero():
		return "published " + s.Published.Format(time.DateOnly)
	}
	return "undated"
}

// DateOnly formats a date as YYYY-MM-DD, or "" for none.
func DateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Unit is the unit of an indicator's values; it decides which values are valid.
type Unit string

// Units known to the validator.
const (
	UnitRatio         Unit = "ratio"
	UnitPersons       Unit = "persons"
	UnitYuan          Unit = "yuan"
	UnitJurisdictions Unit = "jurisdictions"
)

// Indicator is a family of figures, published as one metric.
type Indicator struct {
	Name       string // Full metric name, e.g. socsec_coverage_ratio.
	Help       string
	Unit       Unit
	PerProgram bool     // Whether each observation names a programme.
	Dimensions []string // Extra label names every observation must set, in order.
	Basis      string   // The basis of observations that state none.
}

// Observation is one published figure.
type Observation struct {
	Indicator *Indicator
	Region    string
	Program   string // Empty when the indicator is not per programme.
	Year      int
	// Period is the part of Year the figure is for: a month (2025-09), a
	// quarter (2024-Q1), a half (2024-H1) or a day (2017-06-30); empty for
	// the calendar year.
	Period string
	// Basis says what the figure counts where an indicator is counted in
	// more than one way, e.g. year_end or during_year; empty for none.
	Basis      string
	Dimensions []string // Values in the order of Indicator.Dimensions.
	Value      float64
	// Precision is half a unit of the last digit the source wrote, in the
	// unit of Value: "2.48万亿" is 2.48e12 ± 5e9.
	Precision float64
	Source    *Source
	Qualifier Qualifier
	// Words is what was written about the figure beside its value, nil
	// when nothing was: the figures of large datasets mostly have none, and
	// holding it apart keeps every figure smaller.
	Words   *Words
	Dataset *Dataset
	Pos     Position
}

// Words is what was written about a figure beside its value.
type Words struct {
	// Printed is the value as the source printed it ("2.48万亿"), when it
	// was entered so rather than as a plain number.
	Printed string
	Quote   string   // The source's own sentence, verbatim.
	Note    string   // The compiler's remarks.
	Flags   []string // Sorted.
	// Locator is where in its source the figure stands, in the compiler's
	// words: a table, row and column, or a paragraph.
	Locator string
	// Cell is where in a table the figure was read, nil for a figure of a
	// file with one figure per row.
	Cell *Cell
}

// Cell is where in a table (a CSV table or a sheet of a workbook) a figure
// was read, by the names the table gives its row and column; the figure's
// Pos has the file, line and column.
type Cell struct {
	Sheet  string // The sheet of a workbook; empty for a CSV file.
	Ref    string // The cell's reference in a workbook (C7); empty for a CSV file.
	Row    string // The row's key cells as printed, e.g. "山 西".
	Column string // The column's header as printed, e.g. "2023年".
}

// Cell returns where in a table the figure was read, or nil.
func (o *Observation) Cell() *Cell {
	if o.Words == nil {
		return nil
	}
	return o.Words.Cell
}

// Printed returns the value as the source printed it, or "".
func (o *Observation) Printed() string {
	if o.Words == nil {
		return ""
	}
	return o.Words.Printed
}

// Quote returns the source's sentence, or "".
func (o *Observation) Quote() string {
	if o.Words == nil {
		return ""
	}
	return o.Words.Quote
}

// Locator returns where in its source the figure stands, or "".
func (o *Observation) Locator() string {
	if o.Words == nil {
		return ""
	}
	return o.Words.Locator
}

// Note returns the compiler's note on the figure, or "".
func (o *Observation) Note() string {
	if o.Words == nil {
		return ""
	}
	return o.Words.Note
}

// Flags returns the figure's flags, sorted.
func (o *Observation) Flags() []string {
	if o.Words == nil {
		return nil
	}
	return o.Words.Flags
}

// Flags an observation may carry, after SDMX's observation status.
// derived marks a value that is the compiler's reading of words ("full
// coverage" as a ratio of 1) rather than a number the source printed.
var Flags = []string{"derived", "estimated", "provisional", "unit_inferred", "year_inferred"}

// Bounds returns the true values a figure allows: its value give or take
// its precision, with no upper end for an at_least figure and no lower end
// for an at_most one, never outside its unit's range.
func (o *Observation) Bounds() (lo, hi float64) {
	lo, hi = Round15(o.Value-o.Precision), Round15(o.Value+o.Precision)
	switch o.Qualifier {
	case AtLeast:
		hi = math.Inf(1)
	case AtMost:
		lo = math.Inf(-1)
	}
	if o.Indicator.Unit != "" {
		lo = max(lo, 0)
	}
	if o.Indicator.Unit == UnitRatio {
		hi = min(hi, 1)
	}
	return lo, hi
}

// Width is how much a figure leaves open: the size of its bounds.
func (o *Observation) Width() float64 {
	lo, hi := o.Bounds()
	return hi - lo
}

// Key identifies the series an observation belongs to; two observations with
// the same key are the same figure, published twice.
func (o *Observation) Key() string {
	n := len(o.Indicator.Name) + len(o.Region) + len(o.Program) + len(o.Period) + len(o.Basis) + 9
	for _, d := range o.Dimensions {
		n += 1 + len(d)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(o.Indicator.Name)
	b.WriteByte(0)
	b.WriteString(o.Region)
	b.WriteByte(0)
	b.WriteString(o.Program)
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(o.Year))
	b.WriteByte(0)
	b.WriteString(o.Period)
	b.WriteByte(0)
	b.WriteString(o.Basis)
	for _, d := range o.Dimensions {
		b.WriteByte(0)
		b.WriteString(d)
	}
	return b.String()
}

// CompareKeys orders figures as their keys (Key) sort, without building
// them: field by field, the year as written, which is the order of the keys
// as long as no field holds the NUL byte that ends each field of a key, and
// no loaded figure's does.
func CompareKeys(a, b *Observation) int {
	if c := strings.Compare(a.Indicator.Name, b.Indicator.Name); c != 0 {
		return c
	}
	if c := strings.Compare(a.Region, b.Region); c != 0 {
		return c
	}
	if c := strings.Compare(a.Program, b.Program); c != 0 {
		return c
	}
	if a.Year != b.Year {
		var x, y [20]byte
		return bytes.Compare(strconv.AppendInt(x[:0], int64(a.Year), 10), strconv.AppendInt(y[:0], int64(b.Year), 10))
	}
	if c := strings.Compare(a.Period, b.Period); c != 0 {
		return c
	}
	if c := strings.Compare(a.Basis, b.Basis); c != 0 {
		return c
	}
	return slices.Compare(a.Dimensions, b.Dimensions)
}

// DimensionString renders the dimensions as k=v pairs joined by commas.
func (o *Observation) DimensionString() string {
	parts := make([]string, len(o.Dimensions))
	for i, v := range o.Dimensions {
		parts[i] = o.Indicator.Dimensions[i] + "=" + v
	}
	return strings.Join(parts, ",")
}

// Dataset is one published collection of figures with its provenance.
type Dataset struct {
	ID        string
	Title     string
	Publisher string
	License   string
	File      string
	Pos       Position // Where the id is written.
	Sources   []*Source
	Regions   []*Region
	Programs  []*Program
	// Indicators holds the indicators the dataset declares beyond the catalog.
	Indicators []*Indicator
	// Observations holds every figure the dataset states, revised or not.
	Observations []*Observation
	// Reported holds derived figures as the sources stated them.
	Reported []*Reported
	// Totals holds the series the dataset declares to be sums of others.
	Totals []*Total
	// PublicationLagMonths is how long after the end of a year its sources
	// publish the figures of that year: a series whose next year has no
	// figure that long after that year's end is late.
	PublicationLagMonths int
	// Closed marks a compilation of past figures that is not kept up to
	// date (expect_new_years: false): a series whose latest year comes from
	// it alone has no next year due.
	Closed bool
	// Acknowledged holds the failed consistency checks the dataset knows
	// of, each with the reason it fails.
	Acknowledged []*Acknowledgement
}

// DefaultPublicationLagMonths is the publication lag of a dataset that
// states none: statistical bulletins and yearbooks of a year mostly appear
// within a year and a half of its end.
const DefaultPublicationLagMonths = 18

// Acknowledgement is a failed consistency check that a dataset knows of and
// explains: the check by its name and what it is of, a figure, reported
// figure or total of the dataset. Such a failure is reported apart from
// the others, with the reason, and alerts on nothing.
type Acknowledgement struct {
	Check   string     // The check's name, as its results give it: reported, coverage, total, ...
	Figure  CheckedRef // What the check is of.
	Reason  string
	Dataset *Dataset
	Pos     Position
}

// CheckedRef names what a consistency check is of, as a dataset writes it:
// a reported growth rate or change by its kind, series, basis and years
// (Kind set), or a figure by its series, basis and year, and period for
// part of a year (Kind empty). A declared total is named by the figure of
// its total series.
type CheckedRef struct {
	Kind      string // Of a reported figure: cagr, yoy or change; empty for a figure.
	Indicator *Indicator
	Region    string
	Program   string   // Empty when the indicator is not per programme.
	Dims      []string // Values in the order of Indicator.Dimensions.
	Basis     string
	Year      int    // Of a figure.
	Period    string // Of a figure of part of a year.
	FromYear  int    // Of a reported figure.
	ToYear    int    // Of a reported figure.
}

// Reported is a derived figure as a source stated it, such as an average
// annual growth rate, kept so that it can be checked against the base figures.
type Reported struct {
	Kind      string // cagr, yoy or change.
	Indicator *Indicator
	Region    string
	Program   string
	Dims      []string
	Basis     string // Of the base figures; the indicator's when the source states none.
	FromYear  int
	ToYear    int
	// Value is a growth rate as a ratio (0.058 for 5.8 %) for cagr and yoy,
	// and for change the difference to - from in the unit of the indicator.
	Value     float64
	Precision float64 // Half a unit of the last stated digit, e.g. 0.0005.
	// Printed is the value as the source printed it ("15.6%", "2436万"),
	// when it was entered so rather than as a plain number.
	Printed string
	Source  *Source
	Dataset *Dataset
	Pos     Position
}

// Total declares that one series of an indicator and region is the sum of
// others, its parts, in every year that all of them are published.
type Total struct {
	Indicator *Indicator
	Region    string
	Basis     string // Of the total and its parts; the indicator's when none is declared.
	Total     SeriesRef
	Parts     []SeriesRef
	Note      string
	Dataset   *Dataset
	Pos       Position
}

// SeriesRef names a series of a Total's indicator and region, up to the year.
type SeriesRef struct {
	Program string   // Empty when the indicator is not per programme.
	Dims    []string // Values in the order of Indicator.Dimensions.
	Pos     Position
}

// Revision records a figure that a figure outranking it contradicts.
type Revision struct {
	Old *Observation
	By  *Observation // The kept figure that outranks Old and disagrees with it.
	// Served is the figure served for the series, nil when the series is
	// an unresolved conflict.
	Served *Observation
}

// Confirmation records a figure that agrees, within what was written, with
// the one served.
type Confirmation struct {
	Figure, Served *Observation
}

// Conflict is a series whose figures disagree and that the settlement rules
// cannot order: none of them is served.
type Conflict struct {
	Figures []*Observation // The disputed figures, best rank first.
	// Agreeing are the other figures kept, which agree with every figure
	// kept but outrank none of the disputed ones.
	Agreeing []*Observation
}

// Dispute is a series whose kept figures disagree with each other while a
// figure that outranks them all is served: the disagreement is worth a
// look, but does not stop the series being served.
type Dispute struct {
	Served  *Observation
	Figures []*Observation // The disputed figures, best rank first.
}

// Target is a policy coverage target for a programme, optionally for one region.
type Target struct {
	Program string
	Region  string // Empty for the programme-wide default.
	Ratio   float64
}

// FileStatus is the outcome of the last attempt to load one dataset file.
type FileStatus struct {
	File string
	OK   bool
	Err  error
}

// Snapshot is everything the exporter serves, validated and resolved: it is
// built whole by a load and replaced whole by a reload, never changed in place.
type Snapshot struct {
	Datasets   []*Dataset   // Sorted by ID.
	Indicators []*Indicator // Those with at least one series, sorted by name.
	Regions    []*Region    // Sorted by code.
	Programs   []*Program   // Sorted by ID.
	Targets    []Target     // Sorted by programme, then region.
	// Series holds the figure served for each series, revisions applied,
	// sorted as CompareKeys sorts: by indicator name, region, programme,
	// year, and then the rest of the key.
	Series []*Observation
	// Revisions, Confirmations, Disputes and Conflicts are the outcomes of
	// settling series with more than one figure (Settle), in series order.
	Revisions     []Revision
	Confirmations []Confirmation
	Disputes      []Dispute
	Conflicts     []Conflict
	// CheckFailures counts the failed consistency checks by dataset ID. It
	// runs the checks on its first call only, and a call meanwhile waits
	// for that one: the exporter calls it beside the rendering of the
	// other families, before it serves the snapshot, so that the checks
	// take no time of their own at load and scrapes never run them.
	CheckFailures func() map[string]int
	// CheckUnchecked counts, by dataset ID, the consistency checks that
	// could not be made for want of a figure; it shares one run of the
	// checks with CheckFailures.
	CheckUnchecked func() map[string]int
	// CheckAcknowledged counts, by dataset ID, the failed consistency
	// checks that a dataset acknowledges (Dataset.Acknowledged), which
	// CheckFailures does not count; it shares their run of the checks.
	CheckAcknowledged func() map[string]int
}

// SeriesCount returns how many series each dataset serves, by dataset ID.
func (s *Snapshot) SeriesCount() map[string]int {
	n := make(map[string]int, len(s.Datasets))
	// Series come in long runs of one dataset: count a run, then add it.
	for i := 0; i < len(s.Series); {
		ds, j := s.Series[i].Dataset, i+1
		for j < len(s.Series) && s.Series[j].Dataset == ds {
			j++
		}
		n[ds.ID] += j - i
		i = j
	}
	return n
}

// PeriodEnd returns the last day of an observation's reference period: 31
// December of its year for an annual figure, the end of the month, quarter
// or half, or the day itself. A period that does not parse ends with the
// year; the loader refuses such periods.
func (o *Observation) PeriodEnd() time.Time {
	yearEnd := time.Date(o.Year, time.December, 31, 0, 0, 0, 0, time.UTC)
	p := o.Period
	if len(p) < 6 || p[4] != '-' {
		return yearEnd
	}
	rest := p[5:]
	lastDayOf := func(month int) time.Time {
		return time.Date(o.Year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	switch {
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'H') && rest[1] >= '1' && rest[1] <= '4':
		months := map[byte]int{'Q': 3, 'H': 6}[rest[0]]
		return lastDayOf(int(rest[1]-'0') * months)
	case len(rest) == 2:
		if m, err := strconv.Atoi(rest); err == nil && m >= 1 && m <= 12 {
			return lastDayOf(m)
		}
	default:
		if t, err := time.Parse(time.DateOnly, p); err == nil {
			return t
		}
	}
	return yearEnd
}
