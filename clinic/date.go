package clinic

import polybill "github.com/polybill/polybill-go"

// Date is a calendar day ("2006-01-02"); it is [polybill.Date], shared by every package.
// Construct one with polybill.NewDate, polybill.ParseDate or polybill.DateOf.
type Date = polybill.Date
