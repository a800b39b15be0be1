// Package paging turns the one-page methods of the four clients into the iterators of their
// List methods (DESIGN rule 2: lazy, and a break stops all I/O).
package paging

import (
	"iter"

	polybill "github.com/polybill/polybill-go"
)

// Iterate returns every item of a paged list, fetching pages lazily: nothing is fetched until
// the sequence is ranged, and breaking out of the loop stops all I/O. An error is yielded
// once, with the zero T, and ends the sequence.
func Iterate[T any](first int, fetch func(cursor int) (*polybill.Page[T], error)) iter.Seq2[T, error] {
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
func IteratePages[T any](first int, fetch func(cursor int) (*polybill.Page[T], error)) iter.Seq2[*polybill.Page[T], error] {
	return func(yield func(*polybill.Page[T], error) bool) {
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
