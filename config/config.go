// Package config loads the exporter's configuration and its datasets (YAML
// with optional CSV observation files), validates everything, and returns a
// ready-to-serve dataset.Snapshot or every problem found, each located by
// file, line, column and field.
package config

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/check"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

//go:embed default
var defaultFiles embed.FS

// DefaultConfigFile is the embedded config served when no --config.file is given.
const DefaultConfigFile = "default/socsec.yml"

// Options control a load.
type Options struct {
	// ConfigFile is the config to load; empty means the embedded default.
	ConfigFile string
	// Datasets, when set, are dataset files or directories loaded instead of
	// a config, with no coverage targets: for checking files on their own.
	Datasets []string
	// Limits bound what the load reads; a zero limit is its default.
	Limits
	// Now is the clock used to bound years, read once at the start of a
	// load; nil means time.Now.
	Now func() time.Time
}

// Result is the outcome of a load.
type Result struct {
	// Snapshot is nil when the load failed.
	Snapshot *dataset.Snapshot
	// Files is the status of every dataset file the config names, in order.
	Files []dataset.FileStatus
	// Warnings are problems worth a look that do not stop the load:
	// revisions, duplicates and qualified figures.
	Warnings []Problem
}

// loader holds the state of one load.
type loader struct {
	opts    Options
	ps      *problems
	catalog map[string]*dataset.Indicator
	// failed names the dataset files that cross-dataset checks found at fault.
	failed map[string]bool
	state  loadState
}

// Load reads the config and every dataset it names. On failure it returns
// an *Error with every problem and a Result whose Files say which failed.
func Load(opts Options) (*Result, error) {
	return LoadContext(context.Background(), opts)
}

// LoadContext is Load that gives up between files once ctx is done, with
// ctx's cause as the error and the Files read so far.
func LoadContext(ctx context.Context, opts Options) (*Result, error) {
	limits, err := opts.Limits.withDefaults()
	if err != nil {
		return &Result{}, err
	}
	opts.Limits = limits
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// One load is one moment: every year is bounded by the same now, and
	// the clock is not read once per figure.
	now := opts.Now()
	opts.Now = func() time.Time { return now }
	ld := &loader{opts: opts, ps: &problems{}, catalog: map[string]*dataset.Indicator{}, failed: map[string]bool{}}
	for _, ind := range schema.Catalog() {
		ld.catalog[ind.Name] = ind
	}
	var fsys fileSystem = osFS{}
	path := opts.ConfigFile
	if path == "" {
		fsys, path = embeddedFS{defaultFiles}, DefaultConfigFile
	}
	res := &Result{}
	var cfg configFile
	if len(opts.Datasets) > 0 {
		for _, p := range opts.Datasets {
			files, err := expandDatasetPath(osFS{}, p)
			if err != nil {
				ld.ps.errorf(dataset.Position{File: osFS{}.name(p)}, "", "%v", err)
			}
			cfg.addFiles(osFS{}, files)
		}
	} else {
		cfg = ld.parseConfig(fsys, path)
	}
	var datasets []*dataset.Dataset
	for _, f := range cfg.files {
		if ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		if ld.state.stopped {
			// A limit stopped the load: the files after it are not read.
			res.Files = append(res.Files, dataset.FileStatus{File: f.fsys.name(f.path), Err: ld.ps.err()})
			continue
		}
		before := len(ld.ps.errors)
		data, err := ld.read(f.fsys, f.path, yamlFile)
		if err != nil {
			ld.ps.errorf(dataset.Position{File: f.fsys.name(f.path)}, "", "%v", err)
		} else if ds := ld.parseDataset(f.fsys, f.path, data); ds != nil {
			datasets = append(datasets, ds)
		}
		status := dataset.FileStatus{File: f.fsys.name(f.path), OK: len(ld.ps.errors) == before}
		if !status.OK {
			status.Err = &Error{Problems: ld.ps.errors[before:]}
		}
		res.Files = append(res.Files, status)
	}
	if len(ld.ps.errors) > 0 {
		return res, ld.ps.err()
	}
	if ctx.Err() != nil {
		return res, context.Cause(ctx)
	}
	snap := ld.resolve(datasets, cfg.targets)
	res.Warnings = sortWarnings(ld.ps.warnings)
	if err := ld.ps.err(); err != nil {
		for i, f := range res.Files {
			if ld.failed[f.File] {
				res.Files[i] = dataset.FileStatus{File: f.File, Err: err}
			}
		}
		return res, err
	}
	snap.CheckFailures = checkFailures(snap)
	res.Snapshot = snap
	return res, nil
}

// Single returns the snapshot a config naming only ds, a dataset of a
// loaded snapshot, would load: its own figures settled among themselves,
// its definitions, its consistency checks, and the given targets.
func Single(ds *dataset.Dataset, targets []dataset.Target) *dataset.Snapshot {
	ld := &loader{ps: &problems{}, failed: map[string]bool{}}
	snap := ld.resolve([]*dataset.Dataset{ds}, nil)
	snap.Targets = targets
	snap.CheckFailures = checkFailures(snap)
	return snap
}

// checkFailures returns what counts the failed consistency checks of snap,
// and sets snap.CheckUnchecked and snap.CheckAcknowledged to what counts
// those that cannot be made and the acknowledged failures: all run the
// checks once, when one is first asked; see
// dataset.Snapshot.CheckFailures.
func checkFailures(snap *dataset.Snapshot) func() map[string]int {
	tally := sync.OnceValue(func() check.Tally { return check.CountRun(snap) })
	snap.CheckUnchecked = func() map[string]int { return tally().Unchecked }
	snap.CheckAcknowledged = func() map[string]int { return tally().Acknowledged }
	return func() map[string]int { return tally().Failed }
}

// configFile is the parsed exporter config.
type configFile struct {
	files   []datasetFile
	targets []targetInput
	// named are the files of each entry of datasets, by the entry's name
	// without its extension: how default_datasets names the embedded ones.
	named map[string][]datasetFile
}

func (c *configFile) addFiles(fsys fileSystem, paths []string) {
	for _, p := range paths {
		c.files = append(c.files, datasetFile{fsys: fsys, path: p})
	}
}

type datasetFile struct {
	fsys fileSystem
	path string
}

type targetInput struct {
	target dataset.Target
	pos    dataset.Position
	field  string
}

func (ld *loader) parseConfig(fsys fileSystem, path string) configFile {
	var cfg configFile
	r := &yamlReader{file: fsys.name(path), ps: ld.ps, maxLabel: ld.opts.MaxLabelBytes, maxText: ld.opts.MaxTextBytes}
	data, err := ld.read(fsys, path, yamlFile)
	if err != nil {
		ld.ps.errorf(dataset.Position{File: r.file}, "", "%v", err)
		return cfg
	}
	root := r.parse(data)
	if root == nil {
		return cfg
	}
	if !hasKey(root, "datasets") && (hasKey(root, "id") || hasKey(root, "observations") || hasKey(root, "observation_files")) {
		ld.ps.errorf(r.pos(root), "", "this is a dataset, not a config: list it under datasets: in a config, or check it on its own with socsec_exporter check %s", r.file)
		return cfg
	}
	f := r.mapping(root, "", "datasets", "include_default_dataset", "default_datasets", "coverage_targets")
	if n := r.scalar(f, "include_default_dataset", false); n != nil {
		if n.Tag != "!!bool" || n.Value != "true" && n.Value != "false" {
			ld.ps.errorf(r.pos(n), "include_default_dataset", "must be true or false, got %q", n.Value)
		} else if n.Value == "true" {
			def := ld.parseConfig(embeddedFS{defaultFiles}, DefaultConfigFile)
			cfg.files = append(cfg.files, def.files...)
		}
	}
	if names := r.list(f, "default_datasets"); len(names) > 0 {
		if len(cfg.files) > 0 {
			ld.ps.errorf(r.pos(names[0]), "default_datasets", "include_default_dataset: true already serves every embedded dataset: give one or the other")
		}
		def := ld.parseConfig(embeddedFS{defaultFiles}, DefaultConfigFile)
		for i, n := range names {
			field := index("default_datasets", i)
			files, ok := def.named[n.Value]
			if !ok || n.Kind != yaml.ScalarNode {
				ld.ps.errorf(r.pos(n), field, "no embedded dataset %q; the embedded datasets are %s", n.Value, strings.Join(quoted(slices.Sorted(maps.Keys(def.named))), ", "))
			}
			cfg.files = append(cfg.files, files...)
		}
	}
	for i, n := range r.list(f, "datasets") {
		field := index("datasets", i)
		p := r.path(n, field, path)
		if p == "" {
			continue
		}
		files, err := expandDatasetPath(fsys, p)
		if err != nil {
			ld.ps.errorf(r.pos(n), field, "%v", err)
		}
		cfg.addFiles(fsys, files)
		if cfg.named == nil {
			cfg.named = map[string][]datasetFile{}
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		cfg.named[name] = cfg.files[len(cfg.files)-len(files):]
	}
	if len(r.list(f, "datasets")) == 0 && len(r.list(f, "default_datasets")) == 0 && len(cfg.files) == 0 && f.node.Kind == yaml.MappingNode {
		ld.ps.errorf(r.pos(root), "datasets", "no dataset files: list at least one file or directory")
	}
	for i, n := range r.list(f, "coverage_targets") {
		field := index("coverage_targets", i)
		tf := r.mapping(n, field, "program", "region", "ratio", "note")
		t := dataset.Target{Program: r.id(tf, "program"), Region: r.str(tf, "region", false)}
		var vn *yaml.Node
		if t.Ratio, vn = r.number(tf, "ratio"); vn != nil && (t.Ratio < 0 || t.Ratio > 1) {
			ld.ps.errorf(r.pos(vn), join(field, "ratio"), "ratio %s is outside 0..1 (write 95 %% as 0.95)", num(t.Ratio))
		}
		r.text(tf, "note")
		cfg.targets = append(cfg.targets, targetInput{target: t, pos: r.pos(n), field: field})
	}
	return cfg
}

// expandDatasetPath returns the file itself, or the *.yaml and *.yml files of
// a directory in name order.
func expandDatasetPath(fsys fileSystem, path string) ([]string, error) {
	// Stat, not Open: opening a named pipe would wait for a writer.
	info, err := fs.Stat(fsys, path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := fsys.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("directory %s has no *.yaml or *.yml dataset files", fsys.name(path))
	}
	return files, nil
}

// resolve merges the datasets into one snapshot: it checks that definitions
// shared across datasets agree, applies revisions, and validates targets.
//
// Datasets are taken in the order of their ids, not of their files, so that
// where two define a region or programme differently, the same definition is
// used whatever the order of the files.
func (ld *loader) resolve(datasets []*dataset.Dataset, targets []targetInput) *dataset.Snapshot {
	datasets = slices.Clone(datasets)
	slices.SortStableFunc(datasets, func(a, b *dataset.Dataset) int { return strings.Compare(a.ID, b.ID) })
	snap := &dataset.Snapshot{}
	byID := map[string]*dataset.Dataset{}
	regions := map[string]*dataset.Region{}
	programs := map[string]*dataset.Program{}
	indicators := map[string]*dataset.Indicator{}
	for _, ds := range datasets {
		if prev := byID[ds.ID]; prev != nil {
			ld.ps.errorf(ds.Pos, "id", "duplicate dataset id %q, also used by %s", ds.ID, prev.File)
			ld.failed[ds.File] = true
			continue
		}
		byID[ds.ID] = ds
		snap.Datasets = append(snap.Datasets, ds)
		for _, r := range ds.Regions {
			prev := regions[r.Code]
			switch {
			case prev == nil:
				regions[r.Code] = r
				snap.Regions = append(snap.Regions, r)
			case prev.Parent != r.Parent && prev.Parent != "" && r.Parent != "":
				// A different parent changes what the data says about the region.
				ld.ps.errorf(r.Pos, "regions", "region %q has parent %q here but %q at %s", r.Code, r.Parent, prev.Parent, prev.Pos)
				ld.failed[ds.File] = true
			default:
				// A parent left out is not another parent: the one given is the region's.
				prev.Parent = cmp.Or(prev.Parent, r.Parent)
				if diff := regionDiff(prev, r); diff != "" {
					ld.ps.warnf(KindDefinition, nil, r.Pos, "regions", "region %q is defined differently at %s (%s); that definition is used, as its dataset's id sorts first", r.Code, prev.Pos, diff)
				}
			}
		}
		for _, ind := range ds.Indicators {
			if prev := indicators[ind.Name]; prev != nil && !sameIndicator(prev, ind) {
				ld.ps.errorf(ds.Pos, "indicators", "indicator %q differs from its declaration in another dataset", ind.Name)
				ld.failed[ds.File] = true
			} else if prev == nil {
				indicators[ind.Name] = ind
			}
		}
		// Series of one family must share one indicator value, whichever
		// dataset declared it. (A dataset settled on its own, by Single,
		// shares nothing and must not change the loaded figures.)
		for _, o := range ds.Observations {
			if shared := indicators[o.Indicator.Name]; shared != nil && shared != o.Indicator && len(datasets) > 1 {
				o.Indicator = shared
			}
		}
		for _, p := range ds.Programs {
			if prev := programs[p.ID]; prev != nil && prev.Name != p.Name {
				ld.ps.warnf(KindDefinition, nil, p.Pos, "programs", "program %q is named %q here but %q at %s; that definition is used, as its dataset's id sorts first", p.ID, p.Name, prev.Name, prev.Pos)
			} else if prev == nil {
				programs[p.ID] = p
				snap.Programs = append(snap.Programs, p)
			}
		}
	}
	slices.SortFunc(snap.Datasets, func(a, b *dataset.Dataset) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(snap.Regions, func(a, b *dataset.Region) int { return strings.Compare(a.Code, b.Code) })
	ld.checkAliases(datasets, regions)
	slices.SortFunc(snap.Programs, func(a, b *dataset.Program) int { return strings.Compare(a.ID, b.ID) })
	ld.resolveSeries(snap)
	seen := map[[2]string]dataset.Position{}
	for _, t := range targets {
		key := [2]string{t.target.Program, t.target.Region}
		switch {
		case programs[t.target.Program] == nil:
			ld.ps.errorf(t.pos, join(t.field, "program"), "unknown program %q: no dataset declares it", t.target.Program)
		case t.target.Region != "" && regions[t.target.Region] == nil:
			ld.ps.errorf(t.pos, join(t.field, "region"), "unknown region %q: no dataset declares it", t.target.Region)
		case seen[key] != (dataset.Position{}):
			ld.ps.errorf(t.pos, t.field, "duplicate target for program %q region %q, first at %s", key[0], key[1], seen[key])
		default:
			seen[key] = t.pos
			snap.Targets = append(snap.Targets, t.target)
		}
	}
	slices.SortFunc(snap.Targets, func(a, b dataset.Target) int {
		return strings.Compare(a.Program+"\x00"+a.Region, b.Program+"\x00"+b.Region)
	})
	return snap
}

// checkAliases refuses an alias that names another region: the code of a
// region some dataset declares, or an alias of another region. Each dataset
// resolves its own aliases as it is read, so two datasets could otherwise
// mean two regions by one code, and the pages could not tell which.
func (ld *loader) checkAliases(datasets []*dataset.Dataset, regions map[string]*dataset.Region) {
	aliasOf := map[string]*dataset.Region{}
	for _, ds := range datasets {
		for _, r := range ds.Regions {
			for _, a := range r.Aliases {
				other := regions[a]
				if other == nil {
					if prev := aliasOf[a]; prev != nil && prev.Code != r.Code {
						other = prev
					} else {
						aliasOf[a] = r
						continue
					}
				}
				ld.ps.errorf(r.Pos, "regions", "alias %q of region %q also names region %q at %s: an alias must name one region only",
					a, r.Code, other.Code, other.Pos)
				ld.failed[ds.File] = true
			}
		}
	}
}

// resolveSeries settles every series, the figures of one indicator, region,
// programme, year, period, basis and dimensions, across all datasets, by
// dataset.Settle, and warns of every revision, dispute, unresolved conflict
// and confirmation, naming the series and the figures involved.
func (ld *loader) resolveSeries(snap *dataset.Snapshot) {
	n := 0
	for _, ds := range snap.Datasets {
		n += len(ds.Observations)
	}
	all := make([]*dataset.Observation, 0, n)
	for _, ds := range snap.Datasets {
		all = append(all, ds.Observations...)
	}
	snap.Series = make([]*dataset.Observation, 0, len(all))
	start := 0
	for _, end := range sortSeries(all) {
		figures := all[start:end]
		start = end
		for _, o := range figures {
			if o.Qualifier != dataset.Exact {
				ld.ps.warnf(KindQualifier, []*dataset.Observation{o}, o.Pos, "qualifier", "%s: the figure is %s (source %s)",
					seriesName(o), figureText(o), o.Source.ID)
			}
		}
		if len(figures) == 1 {
			snap.Series = append(snap.Series, figures[0])
			continue
		}
		ld.record(snap, dataset.Settle(figures))
	}
	ld.seriesBreaks(snap.Series)
	ld.quoteChecks(snap.Datasets)
	// Series are sorted by indicator name: each indicator is one run.
	for i, o := range snap.Series {
		if i == 0 || o.Indicator != snap.Series[i-1].Indicator {
			snap.Indicators = append(snap.Indicators, o.Indicator)
		}
	}
}

// record adds a series' settlement to snap and warns of it.
func (ld *loader) record(snap *dataset.Snapshot, s dataset.Settlement) {
	for _, r := range s.Revised {
		snap.Revisions = append(snap.Revisions, r)
		ld.ps.warnf(KindRevision, []*dataset.Observation{r.Old, r.By}, r.Old.Pos, "value",
			"revision: %s: %s is revised by %s, which outranks it and disagrees with it",
			seriesName(r.Old), figureAt(r.Old), figureAt(r.By))
	}
	if s.Served == nil {
		snap.Conflicts = append(snap.Conflicts, dataset.Conflict{Figures: s.Disputed, Agreeing: s.Confirming})
		ld.ps.warnf(KindConflict, s.Disputed, s.Disputed[0].Pos, "value",
			"unresolved conflict: %s is not served: %s disagree and no source outranks them all",
			seriesName(s.Disputed[0]), figuresAt(s.Disputed))
		return
	}
	snap.Series = append(snap.Series, s.Served)
	if len(s.Disputed) > 0 {
		snap.Disputes = append(snap.Disputes, dataset.Dispute{Served: s.Served, Figures: s.Disputed})
		ld.ps.warnf(KindDispute, append([]*dataset.Observation{s.Served}, s.Disputed...), s.Disputed[0].Pos, "value",
			"dispute: %s: %s disagree with each other; %s is served, from a source that outranks them all",
			seriesName(s.Served), figuresAt(s.Disputed), figureAt(s.Served))
	}
	for _, o := range s.Confirming {
		snap.Confirmations = append(snap.Confirmations, dataset.Confirmation{Figure: o, Served: s.Served})
		ld.ps.warnf(KindConfirmation, []*dataset.Observation{o, s.Served}, o.Pos, "value",
			"confirmation: %s: %s agrees with %s, which is served", seriesName(o), figureAt(o), figureAt(s.Served))
	}
}

// sortWarnings orders warnings by kind (Kinds), then by the series of their
// first figure, then by message: the order of files and rows never decides
// the order of the report.
func sortWarnings(ws []Problem) []Problem {
	slices.SortStableFunc(ws, func(a, b Problem) int {
		if c := cmp.Compare(slices.Index(Kinds, a.Kind), slices.Index(Kinds, b.Kind)); c != 0 {
			return c
		}
		if len(a.Figures) > 0 && len(b.Figures) > 0 {
			if c := dataset.CompareKeys(a.Figures[0], b.Figures[0]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Message, b.Message)
	})
	return ws
}

// figureAt names a figure, where it is written and what ranks it.
func figureAt(o *dataset.Observation) string {
	return fmt.Sprintf("%s at %s (source %s, %s)", figureText(o), o.Pos, o.Source.ID, describeSource(o))
}

// figuresAt names figures as figureAt does, joined with "and".
func figuresAt(figures []*dataset.Observation) string {
	parts := make([]string, len(figures))
	for i, o := range figures {
		parts[i] = figureAt(o)
	}
	return strings.Join(parts, " and ")
}

// seriesBreaks warns of every annual series whose basis changes over the
// years: figures on either side of the break count different things, and no
// check compares them.
func (ld *loader) seriesBreaks(series []*dataset.Observation) {
	if !slices.ContainsFunc(series, func(o *dataset.Observation) bool { return o.Basis != "" }) {
		return
	}
	type run struct {
		basis       string
		first, last *dataset.Observation
	}
	runs := map[string][]run{}
	var order []string
	for _, o := range series {
		if o.Period != "" {
			continue
		}
		k := seriesOf(o)
		rs := runs[k]
		if rs == nil {
			order = append(order, k)
		}
		if i := slices.IndexFunc(rs, func(r run) bool { return r.basis == o.Basis }); i >= 0 {
			if o.Year < rs[i].first.Year {
				rs[i].first = o
			}
			if o.Year > rs[i].last.Year {
				rs[i].last = o
			}
		} else {
			rs = append(rs, run{o.Basis, o, o})
		}
		runs[k] = rs
	}
	for _, k := range order {
		rs := runs[k]
		if len(rs) < 2 {
			continue
		}
		slices.SortFunc(rs, func(a, b run) int { return a.first.Year - b.first.Year })
		parts := make([]string, len(rs))
		for i, r := range rs {
			basis := r.basis
			if basis == "" {
				basis = "none stated"
			}
			parts[i] = fmt.Sprintf("basis %s in %d-%d (%s)", basis, r.first.Year, r.last.Year, r.first.Pos)
		}
		ld.ps.warnf(KindSeriesBreak, []*dataset.Observation{rs[0].first, rs[1].first}, rs[1].first.Pos, "basis", "series break: %s: %s; figures of different bases are not compared",
			k, strings.Join(parts, ", "))
	}
}

// figureText is a figure as people write it, as printed when it was.
func figureText(o *dataset.Observation) string {
	v := num(o.Value)
	if o.Printed() != "" {
		v = strconv.Quote(o.Printed())
	}
	if o.Qualifier != dataset.Exact {
		v = string(o.Qualifier) + " " + v
	}
	return v
}

// describeSource names what ranks a figure: its source's authority and
// date, and whether it is provisional.
func describeSource(o *dataset.Observation) string {
	if o.Provisional() {
		return fmt.Sprintf("authority %d, %s, provisional", o.Source.Authority, o.Source.DateText())
	}
	return fmt.Sprintf("authority %d, %s", o.Source.Authority, o.Source.DateText())
}

// seriesName names a figure's series by its metric and labels.
func seriesName(o *dataset.Observation) string {
	name := seriesOf(o) + " year " + strconv.Itoa(o.Year)
	if o.Period != "" {
		name += " period " + o.Period
	}
	if o.Basis != "" {
		name += " basis " + o.Basis
	}
	return name
}

// seriesOf names the series a figure belongs to across the years.
func seriesOf(o *dataset.Observation) string {
	parts := []string{o.Indicator.Name, "region " + o.Region}
	if o.Program != "" {
		parts = append(parts, "program "+o.Program)
	}
	if d := o.DimensionString(); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, " ")
}

var _ fs.ReadDirFS = osFS{}

// regionDiff lists how two definitions of a region differ, plainly.
func regionDiff(a, b *dataset.Region) string {
	var diffs []string
	for _, f := range []struct{ name, a, b string }{
		{"name", a.Name, b.Name}, {"name_en", a.NameEN, b.NameEN}, {"level", a.Level, b.Level},
		{"aliases", strings.Join(a.Aliases, ","), strings.Join(b.Aliases, ",")},
	} {
		if f.a != f.b {
			diffs = append(diffs, fmt.Sprintf("%s %q there, %q here", f.name, f.a, f.b))
		}
	}
	return strings.Join(diffs, ", ")
}

func sameIndicator(a, b *dataset.Indicator) bool {
	return a.Help == b.Help && a.Unit == b.Unit && a.PerProgram == b.PerProgram && slices.Equal(a.Dimensions, b.Dimensions)
}

// num formats a figure as people write it: 25840000, not 2.584e+07.
func num(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
