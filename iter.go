package polybill

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// Total is the total number of items the server reported, or -1 when it reported none.
	Total int
	// Next is the cursor of the next page: its page number or its offset, depending on the API.
	Next int
	// HasMore reports whether a next page exists.
	HasMore bool
}
