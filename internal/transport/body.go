package transport

import (
	"io"
	"net/http"
)

// readBody runs inside the retry loop for the response that ends it, so a body cut short
// on an idempotent call is retried like any other broken connection.
func (st *callState) readBody(resp *http.Response) error {
	st.body, st.bodyErr = readBounded(resp, st.c.cfg.MaxResponseBytes)
	st.bodyRead = true
	return st.bodyErr
}

// readBounded reads at most limit bytes of the body and refuses a longer one.
//
// A declared Content-Length over the bound is refused before a byte is read; a declared one
// within it sizes the buffer once (io.ReadAll starts at 512 bytes and grows about 1.25× at a
// time, over twenty allocations and copies for a 700 KB page). Without a Content-Length the
// body is read into chunks that double up to maxChunk and never reach past limit+1 bytes in
// total, then joined: refusing an endless body allocates at most limit+1 bytes (a growing
// single buffer allocated about three times the bound: each doubling copies everything read
// so far), and an accepted body is allocated twice its size at worst.
func readBounded(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	if resp.ContentLength >= 0 {
		// One spare byte, so the read that reports EOF (or a body longer than declared)
		// does not grow the buffer.
		b := make([]byte, 0, min(resp.ContentLength, limit)+1)
		for {
			n, err := resp.Body.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if int64(len(b)) > limit {
				return nil, errBodyTooLarge
			}
			if err == io.EOF {
				return b, nil
			}
			if err != nil {
				return nil, err
			}
			if len(b) == cap(b) {
				// More than declared: continue in chunks, still bounded.
				return readChunks(resp.Body, limit, [][]byte{b}, int64(len(b)))
			}
		}
	}
	return readChunks(resp.Body, limit, nil, 0)
}

// maxChunk bounds one chunk of a body read without a Content-Length.
const maxChunk = 1 << 20

func readChunks(body io.Reader, limit int64, chunks [][]byte, total int64) ([]byte, error) {
	size := int64(512)
	for {
		// limit+1 in total: the extra byte tells a body of exactly limit bytes from a longer one.
		chunk := make([]byte, 0, min(size, limit+1-total))
		for len(chunk) < cap(chunk) {
			n, err := body.Read(chunk[len(chunk):cap(chunk)])
			chunk = chunk[:len(chunk)+n]
			if err == io.EOF {
				if total += int64(len(chunk)); total > limit {
					return nil, errBodyTooLarge
				}
				return join(append(chunks, chunk), total), nil
			}
			if err != nil {
				return nil, err
			}
		}
		chunks = append(chunks, chunk)
		total += int64(len(chunk))
		if total > limit {
			return nil, errBodyTooLarge
		}
		size = min(2*size, maxChunk)
	}
}

func join(chunks [][]byte, total int64) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	b := make([]byte, 0, total)
	for _, c := range chunks {
		b = append(b, c...)
	}
	return b
}
