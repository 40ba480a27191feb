package sushi

import (
	"bytes"
	"context"
	"encoding/json"
)

// ServiceStatus is one entry of a /status answer.
type ServiceStatus struct {
	Description    string  `json:"Description"`
	ServiceActive  bool    `json:"Service_Active"`
	RegistryRecord string  `json:"Registry_Record,omitempty"`
	Note           string  `json:"Note,omitempty"`
	Alerts         []Alert `json:"Alerts,omitempty"`
}

// Alert is a service alert in a /status answer.
type Alert struct {
	DateTime string `json:"Date_Time"`
	Alert    string `json:"Alert"`
}

// Status asks baseURL/status whether the service is up. The Response is
// returned whenever the server answered (Outcome OK when the body held a
// status, otherwise classified as for reports); the statuses are nil when
// the body held none. R5.0 servers that answer with one object instead of
// a list are accepted.
func (c *Client) Status(ctx context.Context, baseURL string, cr Credentials) ([]ServiceStatus, *Response, error) {
	q := make(map[string][]string)
	if cr.CustomerID != "" {
		setCredentials(q, cr)
	} else if cr.Platform != "" {
		q["platform"] = []string{cr.Platform}
	}
	resp, err := c.get(ctx, baseURL, "/status", q, cr)
	if err != nil {
		return nil, nil, err
	}
	b := bytes.TrimSpace(resp.Body)
	var list []ServiceStatus
	if resp.Status == 200 && len(b) > 0 {
		switch b[0] {
		case '[':
			if json.Unmarshal(b, &list) != nil {
				list = nil
			}
		case '{':
			var one ServiceStatus
			var keys map[string]json.RawMessage
			if json.Unmarshal(b, &keys) == nil && keys["Service_Active"] != nil && json.Unmarshal(b, &one) == nil {
				list = []ServiceStatus{one}
			}
		}
	}
	if list != nil && len(resp.Exceptions) == 0 {
		resp.Outcome = OK
		resp.Message = "service active"
		for _, s := range list {
			if !s.ServiceActive {
				resp.Message = "service not active"
				if s.Note != "" {
					resp.Message += ": " + redact(s.Note, cr)
				}
			}
		}
	}
	return list, resp, nil
}
