package config

import "github.com/socsec-exporter/socsec_exporter/internal/dataset"

// maxPublicationLagMonths bounds publication_lag_months: ten years is
// beyond any source that publishes year after year.
const maxPublicationLagMonths = 120

// publicationLag reads how many months after the end of a year the
// dataset's sources publish that year's figures, DefaultPublicationLagMonths
// when it states none.
func (p *datasetParser) publicationLag(f fields) int {
	lag, n := p.integer(f, "publication_lag_months", false)
	if n == nil {
		return dataset.DefaultPublicationLagMonths
	}
	if lag > maxPublicationLagMonths {
		p.ps.errorf(p.pos(n), "publication_lag_months", "%d is out of range 0..%d: the months after the end of a year by which its figures are published", lag, maxPublicationLagMonths)
	}
	return lag
}
