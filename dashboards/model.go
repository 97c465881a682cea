package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Model is the part of a dashboard JSON file that linting and query checks look at.
type Model struct {
	UID           string                    `json:"uid"`
	Title         string                    `json:"title"`
	SchemaVersion int                       `json:"schemaVersion"`
	Editable      *bool                     `json:"editable"`
	Time          struct{ From, To string } `json:"time"`
	Inputs        []any                     `json:"__inputs"`
	Templating    struct{ List []Variable } `json:"templating"`
	Panels        []Panel                   `json:"panels"`
}

// Ref is a data source reference.
type Ref struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a dashboard template variable.
type Variable struct {
	Type       string `json:"type"`
	Name       string `json:"name"`
	Label      string `json:"label"`
	Query      string `json:"query"`
	Datasource *Ref   `json:"datasource"`
	Current    struct {
		Value any `json:"value"`
	} `json:"current"`
	Multi      bool   `json:"multi"`
	IncludeAll bool   `json:"includeAll"`
	AllValue   string `json:"allValue"`
	Regex      string `json:"regex"`
	Refresh    int    `json:"refresh"`
	Hide       int    `json:"hide"` // 0 shown, 1 without its label, 2 hidden.
}

// Panel is a dashboard panel with its queries, transformations, default unit and data links.
type Panel struct {
	ID              int              `json:"id"`
	Type            string           `json:"type"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	Interval        string           `json:"interval"` // Minimum step of range queries, e.g. 1d.
	Datasource      *Ref             `json:"datasource"`
	Targets         []Target         `json:"targets"`
	Transformations []Transformation `json:"transformations"`
	Repeat          string           `json:"repeat"`          // The variable repeated over: a copy per value, seeing that value only.
	RepeatDirection string           `json:"repeatDirection"` // h: side by side, v: one below the other.
	MaxPerRow       int              `json:"maxPerRow"`       // Of copies side by side.
	Options         struct {
		Legend *Legend `json:"legend"` // Of charts: bar charts, time series and trends.
		XField string  `json:"xField"` // Of trends: the field of the x axis.
	} `json:"options"`
	FieldConfig struct {
		Defaults struct {
			Unit   string     `json:"unit"`
			Min    *float64   `json:"min"` // The axis' fixed ends, when set.
			Max    *float64   `json:"max"`
			Links  []DataLink `json:"links"`
			Custom struct {
				AxisSoftMin *float64 `json:"axisSoftMin"` // The least range of a chart's value axis.
				AxisSoftMax *float64 `json:"axisSoftMax"`
			} `json:"custom"`
		} `json:"defaults"`
		Overrides []Override `json:"overrides"`
	} `json:"fieldConfig"`
}

// Legend is how a chart names its series.
type Legend struct {
	ShowLegend  bool     `json:"showLegend"`
	DisplayMode string   `json:"displayMode"` // list or table.
	Placement   string   `json:"placement"`
	Calcs       []string `json:"calcs"`
}

// Transformation is one of a panel's data transformations.
type Transformation struct {
	ID      string         `json:"id"`
	Options map[string]any `json:"options"`
}

// DataLink is a link from the values of a panel.
type DataLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Override changes the field config of the fields its matcher picks.
type Override struct {
	Matcher struct {
		ID      string `json:"id"`
		Options any    `json:"options"`
	} `json:"matcher"`
	Properties []struct {
		ID    string          `json:"id"`
		Value json.RawMessage `json:"value"`
	} `json:"properties"`
}

// Links returns the data links of the field named field: those of an override by that name, else the defaults.
func (p Panel) Links(field string) []DataLink {
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byName" || o.Matcher.Options != field {
			continue
		}
		for _, prop := range o.Properties {
			if prop.ID == "links" {
				var links []DataLink
				if json.Unmarshal(prop.Value, &links) == nil {
					return links
				}
			}
		}
	}
	return p.FieldConfig.Defaults.Links
}

// Target is one Prometheus query of a panel.
type Target struct {
	RefID        string `json:"refId"`
	Expr         string `json:"expr"`
	LegendFormat string `json:"legendFormat"`
	Instant      bool   `json:"instant"`
	Range        bool   `json:"range"`
	Datasource   *Ref   `json:"datasource"`
}

// ReadModel decodes the dashboard JSON file at path.
func ReadModel(path string) (Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Model{}, err
	}
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return Model{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Default returns the value a variable takes when the dashboard opens: the all value when "All" is selected, else
// the current value.
func (v Variable) Default() string {
	value := v.Current.Value
	if values, ok := value.([]any); ok && len(values) == 1 {
		value = values[0]
	}
	s, _ := value.(string)
	if s == "$__all" {
		return v.AllValue
	}
	return s
}

var variableFunction = regexp.MustCompile(`^\s*(label_values|query_result)\((.*)\)\s*$`)

// PromQL returns the PromQL expression a query variable evaluates: the argument of query_result, or the series
// selector of label_values.
func (v Variable) PromQL() (string, error) {
	m := variableFunction.FindStringSubmatch(v.Query)
	if m == nil {
		return "", fmt.Errorf("variable %s: query %q is neither label_values(...) nor query_result(...)", v.Name, v.Query)
	}
	if m[1] == "query_result" {
		return m[2], nil
	}
	i := strings.LastIndex(m[2], ",")
	if i < 0 {
		return "", fmt.Errorf("variable %s: label_values needs a series selector and a label: %q", v.Name, v.Query)
	}
	return strings.TrimSpace(m[2][:i]), nil
}

// ListedLabel returns the label whose values a label_values(selector, label) variable lists, or "" for a
// query_result variable.
func (v Variable) ListedLabel() string {
	m := variableFunction.FindStringSubmatch(v.Query)
	if m == nil || m[1] != "label_values" {
		return ""
	}
	i := strings.LastIndex(m[2], ",")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(m[2][i+1:])
}

var variableReference = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)`)

// Expand replaces the variable references in s ($name, ${name}, ${name:format}) with their values; references to
// unknown variables are left as they are.
func Expand(s string, values map[string]string) string {
	return variableReference.ReplaceAllStringFunc(s, func(ref string) string {
		m := variableReference.FindStringSubmatch(ref)
		name := m[1] + m[2]
		if v, ok := values[name]; ok {
			return v
		}
		return ref
	})
}

var relativeTime = regexp.MustCompile(`^now(?:-([0-9]+)([smhdwMy]))?$`)

// TimeRange returns the time range a dashboard opens with at the instant now: an absolute time (RFC 3339) as it is,
// a relative one as Grafana counts it back from now ("now", "now-30y", "now-1h").
func (m Model) TimeRange(now time.Time) (from, to time.Time, err error) {
	if from, err = resolveTime(m.Time.From, now); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if to, err = resolveTime(m.Time.To, now); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from, to, nil
}

func resolveTime(s string, now time.Time) (time.Time, error) {
	m := relativeTime.FindStringSubmatch(s)
	if m == nil {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q is neither RFC 3339 nor now-<n><unit>", s)
		}
		return t, nil
	}
	if m[1] == "" {
		return now, nil
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	switch m[2] {
	case "y":
		return now.AddDate(-n, 0, 0), nil
	case "M":
		return now.AddDate(0, -n, 0), nil
	case "w":
		return now.AddDate(0, 0, -7*n), nil
	case "d":
		return now.AddDate(0, 0, -n), nil
	}
	unit := map[string]time.Duration{"h": time.Hour, "m": time.Minute, "s": time.Second}[m[2]]
	return now.Add(-time.Duration(n) * unit), nil
}
