package clinic

// TokenFetches reports how many access tokens this client has requested: one per hour of use
// plus one after each 401.
func (c *Client) TokenFetches() int64 { return c.auth.Fetches() }
