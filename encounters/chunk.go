package encounters

import (
	"fmt"

	"github.com/polybill/polybill-go/encounters/internal/qs"
)

// HapiHub reads query strings with qs, whose default arrayLimit (20, a count since qs 6.14.2)
// turns a longer indexed array into an object: a 45-value $in would arrive as an object and
// no longer mean "one of these". chunkLists rewrites such lists, before encoding, into
// equivalent filters made of lists of at most qs.MaxArray values:
//
//   - field $in [v1…v45] is an $or of {field: {$in: chunk}}: a record matches the list when
//     it matches one chunk (also for array fields, which match when any element does);
//   - field $nin [v1…v45] is an $and of {field: {$nin: chunk}}: a record is outside the list
//     when it is outside every chunk (a record without the field matches each chunk, as it
//     matches the whole list).
//
// qs also reads at most 5 levels of brackets (depth 5), so the rewrite stays shallow:
// $or[i][field][$in][j] is 4 levels, and $or[i][$and][j][field][$nin][k] would be 6. So:
//
//   - at the top level, an $in becomes the top-level $or (refused when the query has its own
//     $or: combining them would need an $and of $or lists, 6 levels deep), and a $nin adds
//     its chunks to the top-level $and;
//   - inside an $or alternative, an $in splits the alternative into one alternative per chunk
//     (A or B, with A = x and (f in c1 or f in c2), is (x and f in c1) or (x and f in c2) or B);
//     a $nin there is refused, since its $and would be 6 levels deep;
//   - inside an $and entry, the list moves to the top level as above (an $and entry is
//     joined to the rest of the query by "and" anyway);
//   - anywhere else (a $populate entry's filters, a nested $or) a long list is not rewritten,
//     and the encoder refuses it.
//
// Every $or and $and the rewrite produces must hold at most qs.MaxArray entries, so a
// top-level $in holds at most 400 values (20 chunks of 20); past that the query is refused
// with the reason. qs's parameterLimit (1000 parameters) bounds a query further.
func chunkLists(root *qs.Object) (*qs.Object, error) {
	c := chunker{root: root}
	if err := c.splitOr(); err != nil {
		return nil, err
	}
	// $and entries: their long lists join the top level.
	if v, ok := root.Get("$and"); ok {
		if entries, ok := v.([]any); ok {
			var kept []any
			for _, e := range entries {
				entry, ok := e.(*qs.Object)
				if !ok || entry.Len() == 0 { // an empty entry is left for the encoder to refuse
					kept = append(kept, e)
					continue
				}
				if err := c.hoist(entry); err != nil {
					return nil, err
				}
				if entry.Len() > 0 { // an entry that held only the long list is gone with it
					kept = append(kept, entry)
				}
			}
			c.and = append(kept, c.and...)
			if len(c.and) == 0 {
				root.Delete("$and")
			}
		}
	}
	if err := c.hoist(root); err != nil {
		return nil, err
	}
	if len(c.and) > qs.MaxArray {
		return nil, &qs.KeyError{Path: "$and", Reason: fmt.Sprintf("with long $nin lists split, it would hold %d entries, more than the %d qs reads as a list", len(c.and), qs.MaxArray)}
	}
	if len(c.and) > 0 {
		root.Set("$and", c.and) // in place when the query had an $and
	}
	return root, nil
}

// chunker rewrites one query; and collects the top-level $and entries.
type chunker struct {
	root *qs.Object
	and  []any
}

// splitOr splits each $or alternative per chunk of its long $in lists. A long $nin in an
// alternative cannot be rewritten within qs's depth.
func (c *chunker) splitOr() error {
	v, ok := c.root.Get("$or")
	alts, isList := v.([]any)
	if !ok || !isList {
		return nil
	}
	var out []any
	for i, a := range alts {
		alt, ok := a.(*qs.Object)
		if !ok {
			out = append(out, a)
			continue
		}
		if f := longList(alt, "$nin"); f != "" {
			return &qs.KeyError{Path: fmt.Sprintf("$or[%d][%s][$nin]", i, f), Reason: fmt.Sprintf(
				"more than %d values cannot be split inside an $or alternative (the $and it needs would be nested deeper than qs reads); move the condition out of the $or", qs.MaxArray)}
		}
		split, err := splitAlternative(fmt.Sprintf("$or[%d]", i), alt, qs.MaxArray-len(out))
		if err != nil {
			return err
		}
		out = append(out, split...)
	}
	if len(out) > qs.MaxArray && len(out) != len(alts) {
		return &qs.KeyError{Path: "$or", Reason: fmt.Sprintf("splitting long $in lists needs %d alternatives, more than the %d qs reads as a list", len(out), qs.MaxArray)}
	}
	c.root.Set("$or", out)
	return nil
}

// hoist moves the long $in and $nin lists of from's fields to the top level: an $in as the
// top-level $or, a $nin as $and entries.
func (c *chunker) hoist(from *qs.Object) error {
	for _, field := range from.Keys() {
		if len(field) > 0 && field[0] == '$' {
			continue
		}
		ops, ok := fieldOps(from, field)
		if !ok {
			continue
		}
		moved := false
		if values, ok := longValues(ops, "$in"); ok {
			if _, taken := c.root.Get("$or"); taken {
				return &qs.KeyError{Path: field + "[$in]", Reason: fmt.Sprintf(
					"more than %d values are split into an $or, and the query already has one (combining the two is nested deeper than qs reads); split the call instead", qs.MaxArray)}
			}
			chunks := split(values)
			if len(chunks) > qs.MaxArray {
				return &qs.KeyError{Path: field + "[$in]", Reason: fmt.Sprintf(
					"%d values need %d lists of %d, more than the %d alternatives qs reads in an $or", len(values), len(chunks), qs.MaxArray, qs.MaxArray)}
			}
			alts := make([]any, len(chunks))
			for i, ch := range chunks {
				alts[i] = condition(field, "$in", ch)
			}
			c.root.Set("$or", alts)
			ops.Delete("$in")
			moved = true
		}
		if values, ok := longValues(ops, "$nin"); ok {
			for _, ch := range split(values) {
				c.and = append(c.and, condition(field, "$nin", ch))
			}
			ops.Delete("$nin")
			moved = true
		}
		if moved && ops.Len() == 0 {
			from.Delete(field)
		}
	}
	return nil
}

// splitAlternative returns alt as one alternative per chunk of each long $in list in it,
// at most budget of them.
func splitAlternative(path string, alt *qs.Object, budget int) ([]any, error) {
	field := longList(alt, "$in")
	if field == "" {
		return []any{alt}, nil
	}
	ops, _ := fieldOps(alt, field)
	values, _ := longValues(ops, "$in")
	chunks := split(values)
	tooMany := &qs.KeyError{Path: path + "[" + field + "][$in]", Reason: fmt.Sprintf("splitting the list needs more than the %d alternatives qs reads in an $or", qs.MaxArray)}
	if len(chunks) > budget {
		return nil, tooMany
	}
	var out []any
	for _, ch := range chunks {
		copyAlt := alt.Clone()
		copyOps, _ := fieldOps(copyAlt, field)
		copyOps.Set("$in", ch)
		more, err := splitAlternative(path, copyAlt, budget-len(out))
		if err != nil {
			return nil, err
		}
		if out = append(out, more...); len(out) > budget {
			return nil, tooMany
		}
	}
	return out, nil
}

// longList returns the first field of o whose op list is longer than qs reads.
func longList(o *qs.Object, op string) string {
	for _, f := range o.Keys() {
		if len(f) > 0 && f[0] == '$' {
			continue
		}
		if ops, ok := fieldOps(o, f); ok {
			if _, ok := longValues(ops, op); ok {
				return f
			}
		}
	}
	return ""
}

func fieldOps(o *qs.Object, field string) (*qs.Object, bool) {
	v, _ := o.Get(field)
	ops, ok := v.(*qs.Object)
	return ops, ok
}

func longValues(ops *qs.Object, op string) ([]any, bool) {
	v, _ := ops.Get(op)
	values, ok := v.([]any)
	return values, ok && len(values) > qs.MaxArray
}

func split(values []any) [][]any {
	var chunks [][]any
	for len(values) > 0 {
		n := min(len(values), qs.MaxArray)
		chunks = append(chunks, values[:n:n])
		values = values[n:]
	}
	return chunks
}

func condition(field, op string, values []any) *qs.Object {
	ops := qs.NewObject()
	ops.Set(op, values)
	c := qs.NewObject()
	c.Set(field, ops)
	return c
}
