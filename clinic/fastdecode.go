package clinic

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/polybill/polybill-go/internal/jsonscan"
)

// The invoice list is the hot path of ListInvoices. encoding/json re-validates every summary
// (InvoiceSummary.UnmarshalJSON calls json.Unmarshal on its bytes); the fast path splits the
// page once with jsonscan and reads each summary's fields from its sub-slices. It handles the
// shapes the API sends; anything it is not sure to read exactly as encoding/json would (null,
// escapes, a repeated key, a key differing only in case from a known one, an unexpected type)
// makes it give up, and the page is decoded the old way, so results and errors are unchanged.

var errSlow = errors.New("clinic: fast path declined")

var summaryKeys = []string{"id", "invoice_number", "patient_id", "patient_name", "branch_id", "total", "paid", "balance", "status", "date"}

var pageKeys = []string{"data", "items", "invoices", "meta", "pagination"}

var metaKeys = []string{"total", "total_count", "total_pages", "last_page", "page", "current_page"}

// decodeInvoicePageFast is decodeInvoicePage's fast path: a bare array, or an object with a
// data array and an optional meta or pagination object. ok is false when it declines.
func decodeInvoicePageFast(trimmed []byte) (items []InvoiceSummary, meta *listMeta, ok bool) {
	if len(trimmed) == 0 {
		return nil, nil, false
	}
	if trimmed[0] == '[' {
		items, ok := summariesFast(trimmed)
		return items, nil, ok
	}
	if trimmed[0] != '{' {
		return nil, nil, false
	}
	var seenData, seenMeta bool
	err := jsonscan.ScanObject(trimmed, func(k, v []byte) error {
		switch string(k) {
		case "data":
			if seenData || v[0] != '[' {
				return errSlow
			}
			seenData = true
			var ok bool
			if items, ok = summariesFast(v); !ok {
				return errSlow
			}
		case "meta":
			if seenMeta || v[0] != '{' {
				return errSlow
			}
			seenMeta = true
			var ok bool
			if meta, ok = metaFast(v); !ok {
				return errSlow
			}
		default:
			return errSlow // items, invoices, pagination and anything else: the old path
		}
		return nil
	})
	return items, meta, err == nil && seenData
}

func metaFast(v []byte) (*listMeta, bool) {
	m := new(listMeta)
	seen := map[string]bool{}
	err := jsonscan.ScanObject(v, func(k, v []byte) error {
		var p **int
		switch string(k) {
		case "total":
			p = &m.Total
		case "total_count":
			p = &m.TotalCount
		case "total_pages":
			p = &m.TotalPages
		case "last_page":
			p = &m.LastPage
		case "page":
			p = &m.Page
		case "current_page":
			p = &m.CurrentPage
		default:
			if jsonscan.FoldsToKnown(k, metaKeys) {
				return errSlow
			}
			return nil
		}
		if seen[string(k)] || len(v) == 0 || !(v[0] == '-' || ('0' <= v[0] && v[0] <= '9')) {
			return errSlow
		}
		seen[string(k)] = true
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return errSlow
		}
		*p = &n
		return nil
	})
	return m, err == nil
}

func summariesFast(v []byte) ([]InvoiceSummary, bool) {
	items := make([]InvoiceSummary, 0, bytes.Count(v, []byte(`"invoice_number"`)))
	err := jsonscan.ScanArray(v, func(e []byte) error {
		s, ok := summaryFast(e)
		if !ok {
			return errSlow
		}
		items = append(items, s)
		return nil
	})
	return items, err == nil
}

// summaryFast decodes one summary as InvoiceSummary.UnmarshalJSON would, or declines.
func summaryFast(b []byte) (InvoiceSummary, bool) {
	var s InvoiceSummary
	if len(b) == 0 || b[0] != '{' {
		return s, false
	}
	var seen uint16
	err := jsonscan.ScanObject(b, func(k, v []byte) error {
		if string(v) == "null" {
			return errSlow
		}
		var bit uint16
		var err error
		switch string(k) {
		case "id":
			bit, err = 1<<0, str(v, &s.ID)
		case "invoice_number":
			bit, err = 1<<1, str(v, &s.InvoiceNumber)
		case "patient_id":
			bit, err = 1<<2, str(v, &s.PatientID)
		case "patient_name":
			bit, err = 1<<3, str(v, &s.PatientName)
		case "branch_id":
			bit, err = 1<<4, str(v, &s.BranchID)
		case "total":
			bit, err = 1<<5, s.Total.UnmarshalJSON(v)
		case "paid":
			bit, err = 1<<6, s.Paid.UnmarshalJSON(v)
		case "balance":
			bit, err = 1<<7, s.Balance.UnmarshalJSON(v)
		case "status":
			bit, err = 1<<8, str(v, (*string)(&s.Status))
		case "date":
			bit, err = 1<<9, s.Date.UnmarshalJSON(v)
		default:
			if jsonscan.FoldsToKnown(k, summaryKeys) {
				return errSlow
			}
			return nil
		}
		if err != nil || seen&bit != 0 {
			return errSlow
		}
		seen |= bit
		return nil
	})
	if err != nil {
		return InvoiceSummary{}, false
	}
	s.Raw = append(json.RawMessage(nil), b...)
	return s, true
}

// str reads a JSON string without escapes whose bytes are valid UTF-8 (what encoding/json
// decodes it to is then its own text).
func str(v []byte, s *string) error {
	t, ok := jsonscan.PlainString(v)
	if !ok {
		return errSlow
	}
	*s = t
	return nil
}
