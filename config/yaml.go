package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// yamlReader walks a YAML node tree by hand rather than decoding into structs,
// so that every problem carries its line, column and field path, unknown keys
// are refused, and one run reports every problem instead of the first.
type yamlReader struct {
	file string
	ps   *problems
	// maxLabel bounds strings that may be served as label values.
	maxLabel int
	// maxText bounds free text: quotes and notes.
	maxText int
	// lastLine is the last line of the document: the parser places an empty
	// document ("---" alone) on the line after it.
	lastLine int
}

func (r *yamlReader) pos(n *yaml.Node) dataset.Position {
	if r.lastLine > 0 && n.Line > r.lastLine {
		return dataset.Position{File: r.file, Line: r.lastLine, Column: 1}
	}
	return dataset.Position{File: r.file, Line: n.Line, Column: n.Column}
}

// parse decodes data into a document and returns its root, or nil after
// recording the syntax error.
func (r *yamlReader) parse(data []byte) *yaml.Node {
	if !validUTF8(r.file, data, r.ps) {
		return nil
	}
	r.lastLine = endMark(data).line
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, col, msg := locateSyntaxError(data, err)
		r.ps.errorf(dataset.Position{File: r.file, Line: line, Column: col}, "", "invalid YAML: %s", msg)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		r.ps.errorf(dataset.Position{File: r.file, Line: 1, Column: 1}, "", "empty document")
		return nil
	}
	return doc.Content[0]
}

// fields is a YAML mapping with its keys checked.
type fields struct {
	node   *yaml.Node
	path   string
	values map[string]*yaml.Node
}

// mapping checks that n is a mapping whose keys are all allowed and unique.
func (r *yamlReader) mapping(n *yaml.Node, path string, allowed ...string) fields {
	f := fields{node: n, path: path, values: map[string]*yaml.Node{}}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		r.ps.errorf(r.pos(n), path, "must be a mapping, got %s", kindName(n))
		return f
	}
	known := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		known[a] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := join(path, k.Value)
		switch {
		case !known[k.Value] && len(k.Value) > r.maxLabel:
			r.ps.errorf(r.pos(k), join(path, shorten(k.Value)), "the key %s", labelTooLong(k.Value, r.maxLabel))
		case !known[k.Value]:
			r.ps.errorf(r.pos(k), field, "unknown field")
		case f.values[k.Value] != nil:
			r.ps.errorf(r.pos(k), field, "duplicate field")
		default:
			f.values[k.Value] = v
		}
	}
	return f
}

// hasKey reports whether n is a mapping with the key, which tells a config
// from a dataset before either is read as the other.
func hasKey(n *yaml.Node, key string) bool {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// scalar returns the scalar node for key, recording a problem if it is
// missing (when required) or not a scalar.
func (r *yamlReader) scalar(f fields, key string, required bool) *yaml.Node {
	n := f.values[key]
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		if required && f.node.Kind == yaml.MappingNode {
			r.ps.errorf(r.pos(f.node), join(f.path, key), "missing required field")
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		r.ps.errorf(r.pos(n), join(f.path, key), "must be a scalar, got %s", kindName(n))
		return nil
	}
	return n
}

// str reads a string that may be served as a label value or help text, and
// so is bounded by --dataset.max-label-bytes; over it, it reads as "".
func (r *yamlReader) str(f fields, key string, required bool) string {
	n := r.scalar(f, key, required)
	if n == nil || !r.labelFits(n, join(f.path, key)) {
		return ""
	}
	if n.Value == "" && required {
		r.ps.errorf(r.pos(n), join(f.path, key), "must not be empty")
	}
	return n.Value
}

// text reads free text that is never a label, such as a note.
func (r *yamlReader) text(f fields, key string) string {
	n := r.scalar(f, key, false)
	if n == nil {
		return ""
	}
	if msg := textTooLong(n.Value, r.maxText); msg != "" {
		r.ps.errorf(r.pos(n), join(f.path, key), "%s", msg)
		return ""
	}
	return n.Value
}

// labelFits records a problem and returns false when n is longer than a
// label value may be.
func (r *yamlReader) labelFits(n *yaml.Node, field string) bool {
	if msg := labelTooLong(n.Value, r.maxLabel); msg != "" {
		r.ps.errorf(r.pos(n), field, "%s", msg)
		return false
	}
	return true
}

// id reads a string that is used as a label value or reference.
func (r *yamlReader) id(f fields, key string) string {
	n := r.scalar(f, key, true)
	if n == nil || !r.labelFits(n, join(f.path, key)) {
		return ""
	}
	if !validID(n.Value) {
		r.ps.errorf(r.pos(n), join(f.path, key), "%q must match [A-Za-z0-9_.-]+", n.Value)
	}
	return n.Value
}

// number reads a number in plain decimal notation (see parsePlain), written
// as a YAML number rather than a string.
func (r *yamlReader) number(f fields, key string) (float64, *yaml.Node) {
	plain := func(s string) (float64, string) {
		fig, msg := parsePlain(s)
		return fig.Value, msg
	}
	return numeric(r, f, key, true, plain, "!!int", "!!float")
}

// integer reads a whole number of decimal digits (see parseWhole).
func (r *yamlReader) integer(f fields, key string, required bool) (int, *yaml.Node) {
	return numeric(r, f, key, required, parseWhole, "!!int")
}

// year reads a year (see parseYear).
func (r *yamlReader) year(f fields, key string, required bool, now func() time.Time) (int, *yaml.Node) {
	return numeric(r, f, key, required, func(s string) (int, string) { return parseYear(s, now) }, "!!int")
}

// numeric reads the scalar at key with parse, which returns the value or
// what is wrong with it; a value that parses must be written with one of
// the YAML tags of its kind, not quoted as a string.
func numeric[T any](r *yamlReader, f fields, key string, required bool, parse func(string) (T, string), tags ...string) (T, *yaml.Node) {
	var zero T
	n := r.scalar(f, key, required)
	if n == nil {
		return zero, nil
	}
	v, msg := parse(n.Value)
	if msg == "" && !slices.Contains(tags, n.Tag) {
		msg = notAString(n.Value)
	}
	if msg != "" {
		r.ps.errorf(r.pos(n), join(f.path, key), "%s", msg)
		return zero, nil
	}
	return v, n
}

// notAString says that a number was written as a YAML string, in quotes.
func notAString(s string) string {
	return fmt.Sprintf("must be a number, not a string: write it without quotes, got %q", s)
}

// boolean reads true or false, exactly so: YAML also reads True and TRUE as
// booleans, which a data file does not need.
func (r *yamlReader) boolean(f fields, key string) (value, ok bool) {
	n := r.scalar(f, key, false)
	if n == nil {
		return false, false
	}
	if n.Tag != "!!bool" || n.Value != "true" && n.Value != "false" {
		r.ps.errorf(r.pos(n), join(f.path, key), "must be true or false, got %q", n.Value)
		return false, false
	}
	return n.Value == "true", true
}

// date reads an optional date: a source without one is never given one. Its
// year is bounded as a figure's is (parseYear): a date in 9999 or 0001 is a
// slip, and one in 9999 would outrank every dated source of equal authority.
func (r *yamlReader) date(f fields, key string, now func() time.Time) time.Time {
	n := r.scalar(f, key, false)
	if n == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		r.ps.errorf(r.pos(n), join(f.path, key), "must be a date YYYY-MM-DD, got %q", n.Value)
		return time.Time{}
	}
	if last := now().Year() + 1; t.Year() < 1900 || t.Year() > last {
		r.ps.errorf(r.pos(n), join(f.path, key), "%s is out of range 1900-01-01..%d-12-31", n.Value, last)
		return time.Time{}
	}
	return t
}

// list returns the items of the sequence at key, or nil.
func (r *yamlReader) list(f fields, key string) []*yaml.Node {
	n := f.values[key]
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.ps.errorf(r.pos(n), join(f.path, key), "must be a list, got %s", kindName(n))
		return nil
	}
	return n.Content
}

func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// validID reports whether s is usable as an identifier and label value.
func validID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// path returns the path a list item names, resolved against the directory of
// the file base that names it, or "" after recording a problem.
func (r *yamlReader) path(n *yaml.Node, field, base string) string {
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		r.ps.errorf(r.pos(n), field, "must be a path")
		return ""
	}
	if filepath.IsAbs(n.Value) {
		return n.Value
	}
	return filepath.Join(filepath.Dir(base), n.Value)
}
