package config

// parseXLSX reads a sheet of a workbook as a table.
func (p *datasetParser) parseXLSX(m *fileMapping, data []byte) {
	p.ps.errorf(m.pos, m.field, "workbooks are not read yet")
}
