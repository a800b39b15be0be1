package encounters

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters/internal/qs"
	"github.com/polybill/polybill-go/internal/transport"
)

// SortOrder is a $sort direction.
type SortOrder int

// Sort directions, as Feathers expects them (1 ascending, -1 descending).
const (
	Ascending  SortOrder = 1
	Descending SortOrder = -1
)

// PopulateMethod is how a $populate entry loads related records.
type PopulateMethod string

// The three $populate methods HapiHub accepts.
const (
	PopulateGet     PopulateMethod = "get"
	PopulateFind    PopulateMethod = "find"
	PopulateFindOne PopulateMethod = "findOne"
)

// Populate describes one $populate entry: HapiHub loads records of Service
// whose ForeignKey equals this record's LocalKey (or, with PopulateGet, the
// record whose id is LocalKey's value) and attaches them under
// $populated.<alias> (see Invoice.Populated).
type Populate struct {
	Service    string
	Method     PopulateMethod
	LocalKey   string
	ForeignKey string
	// Query adds filters, $sort, $select or a nested $populate to the entry.
	Query *Query
}

// Query is a Feathers query in HapiHub's encoding. Build it with the chained
// methods; the first invalid input is kept and reported by Encode (and by the
// call that uses the query) as a *polybill.Error naming the field.
//
// HapiHub parses query strings with qs, so values are typed by a "#" prefix:
// Limit(10) is sent as $limit=#10, Exists("finalizedAt", true) as
// finalizedAt[$exists]=#true, an empty slice as #[] and nil as a bare key
// (null). Strings are sent unchanged, which is why a string value starting
// with "#" is refused: the server would read it as a number or boolean.
// Times are sent as epoch milliseconds, HapiHub's timestamp format; money as
// exact decimals. An $in or $nin of more than 20 values is sent as an $or or
// $and of lists of 20, which qs reads back as lists (see the package doc,
// Query limits); what cannot be split that way is refused. Floats are refused (use polybill.Decimal). Named types are
// sent as their underlying kind: Where("status", IntentCaptured) as a string,
// a named integer as a number, []PaymentType as a list. A value of one of
// this package's enum types that is not documented (InvoiceStatus("PENDING"))
// is refused, alone or in a list, as creates and patches refuse it.
//
// A nil *Query is an empty query.
type Query struct {
	root *qs.Object
	err  error
}

// NewQuery returns an empty query.
func NewQuery() *Query { return &Query{root: qs.NewObject()} }

// ParseQuery decodes a HapiHub query string (as the server and the fake
// read it).
func ParseQuery(raw string) (*Query, error) {
	o, err := qs.Decode(raw)
	if err != nil {
		var ke *qs.KeyError
		if errors.As(err, &ke) {
			return nil, transport.InvalidParam(API, ke.Path, "%s", ke.Reason)
		}
		return nil, err
	}
	return &Query{root: o}, nil
}

func (q *Query) obj() *qs.Object {
	if q.root == nil {
		q.root = qs.NewObject()
	}
	return q.root
}

func (q *Query) fail(field, format string, args ...any) *Query {
	if q.err == nil {
		q.err = transport.InvalidParam(API, field, format, args...)
	}
	return q
}

// Clone returns an independent copy.
func (q *Query) Clone() *Query {
	if q == nil {
		return NewQuery()
	}
	return &Query{root: q.obj().Clone(), err: q.err}
}

// Err returns the first invalid input given to the builder.
func (q *Query) Err() error {
	if q == nil {
		return nil
	}
	return q.err
}

// Encode renders the query string (percent-encoded, without "?").
func (q *Query) Encode() (string, error) {
	if q == nil {
		return "", nil
	}
	if q.err != nil {
		return "", q.err
	}
	var s string
	root, err := chunkLists(q.obj().Clone())
	if err == nil {
		s, err = qs.Encode(root)
	}
	if err != nil {
		var ke *qs.KeyError
		if errors.As(err, &ke) {
			return "", transport.InvalidParam(API, ke.Path, "%s", ke.Reason)
		}
		return "", err
	}
	return s, nil
}

// String is Encode without the error (empty when the query is invalid).
func (q *Query) String() string {
	s, _ := q.Encode()
	return s
}

// Where adds an equality filter; a nil value matches a null field.
func (q *Query) Where(field string, value any) *Query {
	if err := knownEnum(value); err != nil {
		return q.fail(field, "%v", err)
	}
	v, err := queryValue(value)
	if err != nil {
		return q.fail(field, "%v", err)
	}
	q.obj().Set(field, v)
	return q
}

func (q *Query) op(field, op string, value any) *Query {
	if err := knownEnum(value); err != nil {
		return q.fail(field+"["+op+"]", "%v", err)
	}
	v, err := queryValue(value)
	if err != nil {
		return q.fail(field+"["+op+"]", "%v", err)
	}
	cur, _ := q.obj().Get(field)
	ops, ok := cur.(*qs.Object)
	if !ok {
		ops = qs.NewObject()
		q.obj().Set(field, ops)
	}
	ops.Set(op, v)
	return q
}

// knownEnum refuses a value of one of this package's enum types (InvoiceStatus,
// PaymentType…) that is not a documented value, alone or in a list, as creates and patches
// do: HapiHub would match nothing and answer an empty page that looks like an answer.
func knownEnum(value any) error {
	if e, ok := value.(interface{ IsKnown() bool }); ok {
		if !e.IsKnown() {
			return fmt.Errorf("unknown %T value %q", value, fmt.Sprint(value))
		}
		return nil
	}
	rv := reflect.ValueOf(value)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil
	}
	for i := range rv.Len() {
		if err := knownEnum(rv.Index(i).Interface()); err != nil {
			return err
		}
	}
	return nil
}

func list[T any](values []T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// In matches records whose field is one of values ($in).
func (q *Query) In(field string, values ...any) *Query { return q.op(field, "$in", values) }

// NotIn matches records whose field is none of values ($nin).
func (q *Query) NotIn(field string, values ...any) *Query { return q.op(field, "$nin", values) }

// Lt adds field < value ($lt).
func (q *Query) Lt(field string, value any) *Query { return q.op(field, "$lt", value) }

// Lte adds field <= value ($lte).
func (q *Query) Lte(field string, value any) *Query { return q.op(field, "$lte", value) }

// Gt adds field > value ($gt).
func (q *Query) Gt(field string, value any) *Query { return q.op(field, "$gt", value) }

// Gte adds field >= value ($gte).
func (q *Query) Gte(field string, value any) *Query { return q.op(field, "$gte", value) }

// Ne adds field != value ($ne).
func (q *Query) Ne(field string, value any) *Query { return q.op(field, "$ne", value) }

// Exists matches records that have (or lack) field ($exists, a HapiHub extra).
func (q *Query) Exists(field string, exists bool) *Query { return q.op(field, "$exists", exists) }

// Or matches records that satisfy any of the alternatives ($or).
func (q *Query) Or(alternatives ...*Query) *Query {
	arr := make([]any, 0, len(alternatives))
	for _, a := range alternatives {
		if a == nil {
			return q.fail("$or", "nil alternative")
		}
		if a.err != nil {
			return q.fail("$or", "%v", a.err)
		}
		arr = append(arr, a.obj().Clone())
	}
	q.obj().Set("$or", arr)
	return q
}

// Limit sets the page size ($limit); Limit(0) asks only for the total.
func (q *Query) Limit(n int) *Query {
	if n < 0 {
		return q.fail("$limit", "must not be negative, got %d", n)
	}
	q.obj().Set("$limit", qs.Number(strconv.Itoa(n)))
	return q
}

// Skip sets the offset ($skip).
func (q *Query) Skip(n int) *Query {
	if n < 0 {
		return q.fail("$skip", "must not be negative, got %d", n)
	}
	q.obj().Set("$skip", qs.Number(strconv.Itoa(n)))
	return q
}

// Sort adds a sort key ($sort); keys apply in the order added.
func (q *Query) Sort(field string, order SortOrder) *Query {
	if order != Ascending && order != Descending {
		return q.fail("$sort["+field+"]", "order must be Ascending or Descending, got %d", order)
	}
	return q.op("$sort", field, int(order))
}

// Select limits the fields returned ($select).
func (q *Query) Select(fields ...string) *Query {
	q.obj().Set("$select", list(fields))
	return q
}

// Populate attaches related records under alias ($populate, a HapiHub extra).
func (q *Query) Populate(alias string, p Populate) *Query {
	field := "$populate[" + alias + "]"
	switch {
	case p.Service == "":
		return q.fail(field+"[service]", "required")
	case p.LocalKey == "":
		return q.fail(field+"[localKey]", "required")
	case p.Method != PopulateGet && p.Method != PopulateFind && p.Method != PopulateFindOne:
		return q.fail(field+"[method]", "unknown method %q", p.Method)
	case p.Method != PopulateGet && p.ForeignKey == "":
		return q.fail(field+"[foreignKey]", "required for method %q", p.Method)
	}
	entry := qs.NewObject()
	entry.Set("service", p.Service)
	entry.Set("method", string(p.Method))
	entry.Set("localKey", p.LocalKey)
	if p.ForeignKey != "" {
		entry.Set("foreignKey", p.ForeignKey)
	}
	if p.Query != nil {
		if p.Query.err != nil {
			return q.fail(field, "%v", p.Query.err)
		}
		extra := p.Query.obj()
		for _, k := range extra.Keys() {
			v, _ := extra.Get(k)
			entry.Set(k, v)
		}
	}
	return q.op("$populate", alias, entry)
}

// Set stores a raw value at a bracketed path, for operators without a method
// ($regex, $and, $project…): Set(true, "$populateStripeCards").
func (q *Query) Set(value any, path ...string) *Query {
	if len(path) == 0 {
		return q.fail("", "empty path")
	}
	v, err := queryValue(value)
	if err != nil {
		return q.fail(path[0], "%v", err)
	}
	o := q.obj()
	for _, k := range path[:len(path)-1] {
		cur, _ := o.Get(k)
		next, ok := cur.(*qs.Object)
		if !ok {
			next = qs.NewObject()
			o.Set(k, next)
		}
		o = next
	}
	o.Set(path[len(path)-1], v)
	return q
}

var errFloat = errors.New("floats are not sent exactly; use polybill.Decimal or an integer")

// queryValue converts a Go value to the qs tree.
func queryValue(v any) (any, error) {
	switch t := v.(type) {
	case nil, string, bool:
		return t, nil
	case int:
		return qs.Number(strconv.FormatInt(int64(t), 10)), nil
	case int8, int16, int32, int64:
		return qs.Number(fmt.Sprint(t)), nil
	case uint, uint8, uint16, uint32, uint64:
		return qs.Number(fmt.Sprint(t)), nil
	case polybill.Decimal:
		return qs.Number(t.String()), nil
	case json.Number:
		if !qs.ValidNumber(string(t)) {
			return nil, fmt.Errorf("%q is not a number", string(t))
		}
		return qs.Number(t), nil
	case time.Time:
		return qs.Number(strconv.FormatInt(t.UnixMilli(), 10)), nil
	case float32, float64:
		return nil, errFloat
	case []string:
		return list(t), nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			c, err := queryValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case *qs.Object:
		return t, nil
	case *Query:
		if t == nil {
			return nil, nil
		}
		if t.err != nil {
			return nil, t.err
		}
		return t.obj().Clone(), nil
	}
	return reflectValue(v)
}

// reflectValue encodes named types (type Status string, type Level int, []Status…) like
// their underlying kind: strings as strings, integers as "#"-tagged numbers, booleans as
// "#true"/"#false", slices element by element. Floats are refused as float64 is.
func reflectValue(v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return qs.Number(strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return qs.Number(strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return nil, errFloat
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			// []byte and json.RawMessage: text or a list of numbers? Say which.
			return nil, fmt.Errorf("unsupported query value type %T: convert bytes to a string", v)
		}
		out := make([]any, rv.Len())
		for i := range out {
			c, err := queryValue(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported query value type %T", v)
}
