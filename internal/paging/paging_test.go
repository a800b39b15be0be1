package paging_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/paging"
)

// pager serves 3 pages of numbers by page number and records every fetch.
type pager struct {
	fetched []int
	failAt  int
}

func (p *pager) fetch(page int) (*polybill.Page[int], error) {
	p.fetched = append(p.fetched, page)
	if page == p.failAt {
		return nil, errors.New("boom")
	}
	items := []int{page*10 + 1, page*10 + 2}
	return &polybill.Page[int]{Items: items, Total: 6, Next: page + 1, HasMore: page < 3}, nil
}

func TestIterateIsLazyAndComplete(t *testing.T) {
	p := &pager{}
	seq := paging.Iterate(1, p.fetch)
	assert.Empty(t, p.fetched, "nothing fetched before ranging")
	var got []int
	for v, err := range seq {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{11, 12, 21, 22, 31, 32}, got)
	assert.Equal(t, []int{1, 2, 3}, p.fetched)
}

func TestIterateBreakStopsIO(t *testing.T) {
	p := &pager{}
	for v, err := range paging.Iterate(1, p.fetch) {
		require.NoError(t, err)
		if v == 12 {
			break
		}
	}
	assert.Equal(t, []int{1}, p.fetched)
}

func TestIterateYieldsErrorOnceAndEnds(t *testing.T) {
	p := &pager{failAt: 2}
	var items []int
	var errs []error
	for v, err := range paging.Iterate(1, p.fetch) {
		if err != nil {
			errs = append(errs, err)
			assert.Zero(t, v)
			continue
		}
		items = append(items, v)
	}
	assert.Equal(t, []int{11, 12}, items)
	assert.Len(t, errs, 1)
	assert.Equal(t, []int{1, 2}, p.fetched)
}

func TestIteratePagesStopsOnEmptyOrStuckPage(t *testing.T) {
	calls := 0
	stuck := func(c int) (*polybill.Page[int], error) {
		calls++
		return &polybill.Page[int]{Items: []int{1}, Next: c, HasMore: true}, nil
	}
	for range paging.IteratePages(0, stuck) {
	}
	assert.Equal(t, 1, calls)
	calls = 0
	empty := func(c int) (*polybill.Page[int], error) {
		calls++
		return &polybill.Page[int]{Next: c + 1, HasMore: true}, nil
	}
	for range paging.IteratePages(0, empty) {
	}
	assert.Equal(t, 1, calls)
}
