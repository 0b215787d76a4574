package storesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"voucherpos/syncwire"
)

// Client reads the store's lookups with a till's token: read-only.
type Client struct {
	base, token string
	http        *http.Client
}

// NewClient builds a lookup client; hc nil means a client with a 10 s timeout.
func NewClient(base, token string, hc *http.Client) (*Client, error) {
	if err := CheckURL(base); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{base: strings.TrimRight(base, "/"), token: token, http: hc}, nil
}

// ErrNotFound: the store server has no such sale.
var ErrNotFound = errors.New("the store server has no such sale")

func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return errors.New("store server unreachable: " + scrubURL(err.Error(), c.base))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("store server: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return json.Unmarshal(body, out)
	case http.StatusNotFound:
		return ErrNotFound
	}
	var e struct{ Error string }
	json.Unmarshal(body, &e)
	return fmt.Errorf("store server: HTTP %d %s", resp.StatusCode, e.Error)
}

// Sale looks one sale up by our reference, from any till of the store.
func (c *Client) Sale(ctx context.Context, reference string) (syncwire.Lookup, error) {
	var out syncwire.Lookup
	err := c.get(ctx, "/v1/sales/"+url.PathEscape(reference), &out)
	return out, err
}

// Find looks sales up across the store by the PIN's last 4 digits and the
// amount asked (exact decimal text, e.g. "100.00"), newest first.
func (c *Client) Find(ctx context.Context, pinLast4, amount string) ([]syncwire.Sale, error) {
	var out struct {
		Sales []syncwire.Sale `json:"sales"`
	}
	q := url.Values{"pin_last4": {pinLast4}, "amount": {amount}}
	err := c.get(ctx, "/v1/sales?"+q.Encode(), &out)
	return out.Sales, err
}
