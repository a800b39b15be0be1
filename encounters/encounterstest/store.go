package encounterstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters/internal/qs"
)

// Records are kept as JSON documents (numbers as json.Number), so queries,
// $select and $populate work the same on every service.
type doc = map[string]any

type collection struct {
	ids  []string
	docs map[string]doc
}

func (c *collection) get(id string) doc { return c.docs[id] }

func (c *collection) put(id string, d doc) {
	if _, ok := c.docs[id]; !ok {
		c.ids = append(c.ids, id)
	}
	c.docs[id] = d
}

func (c *collection) remove(id string) {
	if _, ok := c.docs[id]; !ok {
		return
	}
	delete(c.docs, id)
	for i, x := range c.ids {
		if x == id {
			c.ids = append(c.ids[:i:i], c.ids[i+1:]...)
			break
		}
	}
}

func (c *collection) all() []doc {
	out := make([]doc, 0, len(c.ids))
	for _, id := range c.ids {
		out = append(out, c.docs[id])
	}
	return out
}

type store struct{ colls map[string]*collection }

func newStore() *store { return &store{colls: map[string]*collection{}} }

func (s *store) coll(name string) *collection {
	c, ok := s.colls[name]
	if !ok {
		c = &collection{docs: map[string]doc{}}
		s.colls[name] = c
	}
	return c
}

// toDoc turns a request body (a generated model) into a document.
func toDoc(v any) doc {
	b, _ := json.Marshal(v)
	d := doc{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&d)
	return d
}

func clone(d doc) doc {
	b, _ := json.Marshal(d)
	out := doc{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}

func dec(v any) polybill.Decimal {
	switch t := v.(type) {
	case json.Number:
		d, err := polybill.ParseDecimal(string(t))
		if err == nil {
			return d
		}
	case polybill.Decimal:
		return t
	}
	return polybill.DecimalFromInt(0)
}

func num(d polybill.Decimal) json.Number { return json.Number(d.Unquoted().String()) }

// lookup reads a dotted field path.
func lookup(d doc, path string) (any, bool) {
	var cur any = d
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// queryError is a query the fake refuses, answered as Feathers BadRequest.
type queryError struct{ msg string }

func (e *queryError) Error() string { return e.msg }

var controlKeys = map[string]bool{"$limit": true, "$skip": true, "$sort": true, "$select": true, "$populate": true, "$populateStripeCards": true}

// matches evaluates the filter part of a Feathers query on one document.
func matches(d doc, q *qs.Object) (bool, error) {
	for _, key := range q.Keys() {
		cond, _ := q.Get(key)
		if controlKeys[key] {
			continue
		}
		switch key {
		case "$or", "$and":
			alts, ok := cond.([]any)
			if !ok {
				return false, &queryError{key + " must be an array"}
			}
			any, all := false, true
			for _, a := range alts {
				sub, ok := a.(*qs.Object)
				if !ok {
					return false, &queryError{key + " entries must be objects"}
				}
				m, err := matches(d, sub)
				if err != nil {
					return false, err
				}
				any, all = any || m, all && m
			}
			if key == "$or" && !any || key == "$and" && !all {
				return false, nil
			}
			continue
		}
		if strings.HasPrefix(key, "$") {
			return false, &queryError{"Invalid query parameter " + key}
		}
		val, present := lookup(d, key)
		ops, isOps := cond.(*qs.Object)
		if !isOps || !strings.HasPrefix(firstKey(ops), "$") {
			if !equal(val, cond) {
				return false, nil
			}
			continue
		}
		for _, op := range ops.Keys() {
			arg, _ := ops.Get(op)
			ok, err := apply(op, val, present, arg, ops)
			if err != nil {
				return false, err
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

func firstKey(o *qs.Object) string {
	if k := o.Keys(); len(k) > 0 {
		return k[0]
	}
	return ""
}

func apply(op string, val any, present bool, arg any, ops *qs.Object) (bool, error) {
	switch op {
	case "$in", "$nin":
		if _, ok := arg.(*qs.Object); ok {
			// What qs (arrayLimit 20) makes of a list of more than 20: an object with
			// numeric keys, which a Mongo-style $in refuses ("$in needs an array").
			return false, &queryError{op + " needs an array; more than 20 values arrive as an object (qs arrayLimit 20)"}
		}
		list, ok := arg.([]any)
		if !ok {
			list = []any{arg}
		}
		in := false
		for _, a := range list {
			in = in || equal(val, a)
		}
		return in == (op == "$in"), nil
	case "$ne":
		return !equal(val, arg), nil
	case "$lt", "$lte", "$gt", "$gte":
		c, ok := compare(val, arg)
		if !ok {
			return false, nil
		}
		switch op {
		case "$lt":
			return c < 0, nil
		case "$lte":
			return c <= 0, nil
		case "$gt":
			return c > 0, nil
		}
		return c >= 0, nil
	case "$exists":
		want, ok := arg.(bool)
		if !ok {
			return false, &queryError{"$exists takes #true or #false"}
		}
		return (present && val != nil) == want, nil
	case "$regex":
		pat, _ := arg.(string)
		flags, _ := ops.Get("$options")
		if f, _ := flags.(string); strings.Contains(f, "i") {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return false, &queryError{"invalid $regex: " + err.Error()}
		}
		s, ok := val.(string)
		return ok && re.MatchString(s), nil
	case "$options":
		return true, nil
	}
	return false, &queryError{"Invalid query parameter " + op}
}

// equal compares a stored value with a "#"-typed query value; an array field
// matches when any element does (Mongo semantics).
func equal(val, q any) bool {
	if arr, ok := val.([]any); ok {
		if qa, ok := q.([]any); ok {
			return len(qa) == 0 && len(arr) == 0
		}
		for _, e := range arr {
			if equal(e, q) {
				return true
			}
		}
		return false
	}
	switch t := q.(type) {
	case nil:
		return val == nil
	case qs.Number:
		c, ok := compare(val, t)
		return ok && c == 0
	case bool:
		b, ok := val.(bool)
		return ok && b == t
	case string:
		s, ok := val.(string)
		return ok && s == t
	case []any:
		return false
	}
	return false
}

// compare orders numbers numerically and strings lexically.
func compare(val, q any) (int, bool) {
	switch t := q.(type) {
	case qs.Number:
		n, ok := val.(json.Number)
		if !ok {
			return 0, false
		}
		a, err1 := polybill.ParseDecimal(string(n))
		b, err2 := polybill.ParseDecimal(string(t))
		if err1 != nil || err2 != nil {
			return 0, false
		}
		return a.Cmp(b), true
	case string:
		s, ok := val.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(s, t), true
	}
	return 0, false
}

func intParam(q *qs.Object, key string, def int) (int, error) {
	v, ok := q.Get(key)
	if !ok {
		return def, nil
	}
	var s string
	switch t := v.(type) {
	case qs.Number:
		s = string(t)
	case string: // untagged: HapiHub's qs sees a string; accept it as Feathers does
		s = t
	default:
		return 0, &queryError{key + " must be a number"}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, &queryError{fmt.Sprintf("%s must be a non-negative integer, got %q", key, s)}
	}
	return n, nil
}

func sortDocs(docs []doc, q *qs.Object) error {
	v, ok := q.Get("$sort")
	if !ok {
		return nil
	}
	spec, ok := v.(*qs.Object)
	if !ok {
		return &queryError{"$sort must be an object"}
	}
	keys := spec.Keys()
	dirs := make([]int, len(keys))
	for i, k := range keys {
		d, _ := spec.Get(k)
		n, _ := d.(qs.Number)
		switch n {
		case "1":
			dirs[i] = 1
		case "-1":
			dirs[i] = -1
		default:
			return &queryError{fmt.Sprintf("$sort[%s] must be #1 or #-1", k)}
		}
	}
	sort.SliceStable(docs, func(i, j int) bool {
		for n, k := range keys {
			a, _ := lookup(docs[i], k)
			b, _ := lookup(docs[j], k)
			if c := orderOf(a, b); c != 0 {
				return c*dirs[n] < 0
			}
		}
		return false
	})
	return nil
}

// orderOf orders mixed values: missing/null first, then numbers, then strings.
func orderOf(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case json.Number:
			return 1
		case string:
			return 2
		}
		return 3
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	switch x := a.(type) {
	case json.Number:
		return dec(x).Cmp(dec(b))
	case string:
		return strings.Compare(x, b.(string))
	}
	return 0
}

func selectFields(d doc, q *qs.Object) (doc, error) {
	v, ok := q.Get("$select")
	if !ok {
		return d, nil
	}
	fields, ok := v.([]any)
	if !ok {
		return nil, &queryError{"$select must be an array"}
	}
	out := doc{"id": d["id"]}
	if p, ok := d["$populated"]; ok {
		out["$populated"] = p
	}
	for _, f := range fields {
		name, ok := f.(string)
		if !ok {
			return nil, &queryError{"$select entries must be field names"}
		}
		if val, ok := d[name]; ok {
			out[name] = val
		}
	}
	return out, nil
}
