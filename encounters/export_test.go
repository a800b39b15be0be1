package encounters

// TokenFetches reports how many times the client signed in or refreshed its JWT (0 with a
// static token).
func (c *Client) TokenFetches() int64 {
	if c.session == nil {
		return 0
	}
	return c.session.auth.Fetches()
}
