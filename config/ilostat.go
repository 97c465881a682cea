package config

import "strings"

// ilostatLayout is ILOSTAT's bulk download CSV: ref_area (ISO 3166 alpha-3),
// source, indicator, sex, classif1, classif2, time (2023, 2023Q3, 2023M09),
// obs_value, obs_status and note_* columns, comma-separated, with .label
// columns beside the codes in its labelled form.
var ilostatLayout = codedLayout{
	name: "an ILOSTAT file", region: "ref_area", indicator: "indicator", time: "time", value: "obs_value",
	status:   "obs_status",
	required: []string{"ref_area", "indicator", "time", "obs_value"},
	expected: "ref_area, indicator, time and obs_value, with source, sex, classif1, classif2, obs_status and note_* where present",
	note:     func(col string) bool { return strings.HasPrefix(col, "note_") && !strings.HasSuffix(col, ".label") },
}

// parseILOSTAT reads a file of ILOSTAT's bulk download CSV.
func (p *datasetParser) parseILOSTAT(m *fileMapping, data []byte) {
	g, ok := p.csvGrid(m.file, data, ',')
	if ok {
		p.readCoded(m, g, ilostatLayout)
	}
}
