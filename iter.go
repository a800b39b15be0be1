package polybill

import "iter"

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

// Iterate returns every item of a paged list, fetching pages lazily: nothing is fetched until
// the sequence is ranged, and breaking out of the loop stops all I/O. An error is yielded
// once, with the zero T, and ends the sequence.
func Iterate[T any](first int, fetch func(cursor int) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for page, err := range IteratePages(first, fetch) {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}

// IteratePages is Iterate one page at a time.
func IteratePages[T any](first int, fetch func(cursor int) (*Page[T], error)) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		cursor := first
		for {
			page, err := fetch(cursor)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || !page.HasMore {
				return
			}
			// A server that keeps answering "more" with empty pages, or with the same cursor,
			// would loop forever; either ends the sequence.
			if len(page.Items) == 0 || page.Next == cursor {
				return
			}
			cursor = page.Next
		}
	}
}
