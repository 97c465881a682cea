package config

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv4 "go.yaml.in/yaml/v4"
)

// locateSyntaxError says where the YAML syntax error err, which yaml.v3
// returned for data, is, and what it is.
//
// yaml.v3 reports one line and no column, and the line is not always the
// problem's: it is the line of the construct the problem was found in when
// that is not on the first line, and for errors of the parser proper it is
// counted from 0, so that a flow sequence left open on line 2 is reported on
// line 1. Its successor go.yaml.in/yaml/v4, the same parser, keeps both
// marks, the problem's and its context's, with their columns: the document is
// parsed again with it to locate the error. When v4 does not fail, or fails
// in a way not known here, v3's line is kept, with the column of the first
// character of that line.
//
// The place reported is the problem, or the construct it was found in when
// that is what needs fixing: a flow collection, a quoted or block scalar or
// a key left open, or any construct the end of the file cut short.
func locateSyntaxError(data []byte, err error) (line, col int, msg string) {
	var doc yamlv4.Node
	if e := yamlv4.Unmarshal(data, &doc); e != nil {
		if m, ok := readMarks(e); ok {
			return m.place(data)
		}
	}
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	line = 1
	if m := v3LineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return line, firstColumn(data, line), msg
}

var v3LineRE = regexp.MustCompile(`^line (\d+): `)

// mark is a place in a YAML document: a line and a column from 1.
type mark struct{ line, col int }

// yamlMarks are the parts of a v4 syntax error.
type yamlMarks struct {
	context        string // "while parsing a flow sequence", or "".
	contextAt, at  mark
	problem        string
	offset         int // For errors of the reader: a byte offset, or -1.
	contextUnknown bool
}

// readMarks takes the marks out of a v4 syntax error. Its error types are
// internal to v4 but have exported fields, read here by name: ParserError,
// ScannerError (Mark and ContextMark, each a Line and Column, and Message
// and ContextMessage) and ReaderError (Offset and Err). Marks of the parser
// proper count lines and columns from 0; the scanner adds 1 to lines, and
// the composer (a *ParserError) reports both from 1.
func readMarks(err error) (yamlMarks, bool) {
	v := reflect.ValueOf(err)
	pointer := v.Kind() == reflect.Pointer
	if pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return yamlMarks{}, false
	}
	m := yamlMarks{offset: -1}
	switch v.Type().Name() {
	case "ReaderError":
		off, ok := intField(v, "Offset")
		if !ok {
			return m, false
		}
		m.offset = off
		if e, ok := v.FieldByName("Err").Interface().(error); ok && e != nil {
			m.problem = e.Error()
		}
		return m, true
	case "ParserError", "ScannerError":
	default:
		return m, false
	}
	lineBase, colBase := 0, 1 // What to add to v4's numbers to count from 1.
	switch {
	case v.Type().Name() == "ParserError" && !pointer:
		lineBase = 1
	case pointer:
		colBase = 0
	}
	at, ok := markField(v, "Mark", lineBase, colBase)
	if !ok {
		return m, false
	}
	m.at = at
	m.problem, _ = stringField(v, "Message")
	m.context, _ = stringField(v, "ContextMessage")
	if m.context != "" {
		m.contextAt, _ = markField(v, "ContextMark", lineBase, colBase)
		// The scanner leaves a context without a place at line 0.
		m.contextUnknown = m.contextAt.line < 1
	}
	return m, m.problem != ""
}

func markField(v reflect.Value, name string, lineBase, colBase int) (mark, bool) {
	f := v.FieldByName(name)
	if f.Kind() != reflect.Struct {
		return mark{}, false
	}
	line, ok1 := intField(f, "Line")
	col, ok2 := intField(f, "Column")
	return mark{line + lineBase, col + colBase}, ok1 && ok2
}

func intField(v reflect.Value, name string) (int, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return int(f.Int()), true
}

func stringField(v reflect.Value, name string) (string, bool) {
	f := v.FieldByName(name)
	if f.Kind() != reflect.String {
		return "", false
	}
	return f.String(), true
}

// openConstructs are the contexts whose start is what needs fixing: an
// opening left unclosed.
var openConstructs = []string{
	"while parsing a flow sequence", "while parsing a flow mapping", "while scanning a quoted scalar",
	"while scanning a block scalar", "while scanning a simple key",
}

// place chooses where to report the error and words it.
func (m yamlMarks) place(data []byte) (line, col int, msg string) {
	if m.offset >= 0 {
		line, col = offsetMark(data, m.offset)
		return line, col, m.problem
	}
	end := atEnd(data, m.at)
	where := fmt.Sprintf("at line %d, column %d", m.at.line, m.at.col)
	if end {
		where = "at the end of the file"
	}
	if m.context != "" && !m.contextUnknown && (end || slices.Contains(openConstructs, m.context)) && m.contextAt != m.at {
		return m.contextAt.line, m.contextAt.col, fmt.Sprintf("%s %s, %s that starts here", m.problem, where, m.context)
	}
	msg, at := m.problem, m.at
	if end {
		// The parser places the end of the file on a line after the last
		// when that does not end with a line break.
		at = endMark(data)
		msg += " " + where
	}
	if m.context != "" && !m.contextUnknown && m.contextAt.line != at.line {
		msg += fmt.Sprintf(", %s that starts at line %d, column %d", m.context, m.contextAt.line, m.contextAt.col)
	}
	switch m.problem {
	case "did not find expected key", "did not find expected '-' indicator":
		msg += " (is this line indented as the lines it belongs with?)"
	case "mapping values are not allowed in this context":
		msg += " (is this line indented further than the lines it belongs with, or does a value with \": \" in it need quotes?)"
	}
	return max(at.line, 1), max(at.col, 1), msg
}

// atEnd reports whether a mark is at or past the end of data, where nothing
// is to be seen: after the last character, or on the empty line after the
// last line break.
func atEnd(data []byte, at mark) bool {
	end := endMark(data)
	return at.line > end.line || at.line == end.line && at.col >= end.col
}

// endMark is the place just after the last character of data, with lines
// counted as YAML counts them: LF, CR, CRLF, NEL, LS and PS each end one.
func endMark(data []byte) mark {
	m := mark{1, 1}
	for i, r := range string(data) {
		switch {
		case r == '\r' && i+1 < len(data) && data[i+1] == '\n':
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			m = mark{m.line + 1, 1}
		default:
			m.col++
		}
	}
	return m
}

// offsetMark is the line and column, counted in characters, of a byte offset.
func offsetMark(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:off], []byte("\n")) + 1, utf8.RuneCount(data[start:off]) + 1
}

// firstColumn is the column of the first character of a line that is not a
// space, or 1.
func firstColumn(data []byte, line int) int {
	for i := 1; i < line; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return 1
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return utf8.RuneCount(data) - utf8.RuneCount(bytes.TrimLeft(data, " \t")) + 1
}
