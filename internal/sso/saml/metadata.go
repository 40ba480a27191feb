package saml

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"

	crewsaml "github.com/crewjam/saml"
)

// maxMetadata bounds a fetched IdP metadata document; a single entity is a
// few kilobytes, a national federation aggregate a few megabytes.
const maxMetadata = 32 << 20

func fetchMetadata(ctx context.Context, client *http.Client, metadataURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metadataURL, nil)
	if err != nil {
		return nil, fmt.Errorf("saml: IdP metadata URL: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("saml: fetch IdP metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("saml: fetch IdP metadata %s: status %s", metadataURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return nil, fmt.Errorf("saml: read IdP metadata: %w", err)
	}
	if len(body) > maxMetadata {
		return nil, fmt.Errorf("saml: IdP metadata larger than %d bytes", maxMetadata)
	}
	return body, nil
}

// parseIDPMetadata accepts an EntityDescriptor, or an EntitiesDescriptor
// holding exactly one IdP (picking one of many would be a guess).
func parseIDPMetadata(data []byte) (*crewsaml.EntityDescriptor, error) {
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("saml: IdP metadata: %w", err)
	}
	var idps []crewsaml.EntityDescriptor
	switch root.XMLName.Local {
	case "EntityDescriptor":
		var ed crewsaml.EntityDescriptor
		if err := xml.Unmarshal(data, &ed); err != nil {
			return nil, fmt.Errorf("saml: IdP metadata: %w", err)
		}
		idps = append(idps, ed)
	case "EntitiesDescriptor":
		var eds crewsaml.EntitiesDescriptor
		if err := xml.Unmarshal(data, &eds); err != nil {
			return nil, fmt.Errorf("saml: IdP metadata: %w", err)
		}
		for _, ed := range eds.EntityDescriptors {
			if len(ed.IDPSSODescriptors) > 0 {
				idps = append(idps, ed)
			}
		}
	default:
		return nil, fmt.Errorf("saml: IdP metadata root is <%s>", root.XMLName.Local)
	}
	if len(idps) != 1 || len(idps[0].IDPSSODescriptors) == 0 {
		return nil, fmt.Errorf("saml: IdP metadata describes %d identity providers, want one", len(idps))
	}
	if idps[0].EntityID == "" {
		return nil, errors.New("saml: IdP metadata has no entityID")
	}
	return &idps[0], nil
}

// spMetadata is crewjam's SP metadata without its Artifact-binding ACS:
// Samla accepts only HTTP-POST responses.
func (p *Provider) spMetadata() *crewsaml.EntityDescriptor {
	md := p.sp.Metadata()
	for i := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[i]
		var post []crewsaml.IndexedEndpoint
		for _, ep := range d.AssertionConsumerServices {
			if ep.Binding == crewsaml.HTTPPostBinding {
				post = append(post, ep)
			}
		}
		d.AssertionConsumerServices = post
	}
	return md
}

func (p *Provider) serveMetadata(w http.ResponseWriter, r *http.Request) {
	buf, err := xml.MarshalIndent(p.spMetadata(), "", "  ")
	if err != nil {
		p.log.ErrorContext(r.Context(), "saml: marshal SP metadata", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(append([]byte(xml.Header), buf...))
}
