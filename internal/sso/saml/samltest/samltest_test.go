package samltest

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"testing"

	crewsaml "github.com/crewjam/saml"
)

func TestMetadataAndUnknownSP(t *testing.T) {
	idp := Start(t, User{Name: "u", Password: "p"})
	resp, err := http.Get(idp.MetadataURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var md crewsaml.EntityDescriptor
	if err := xml.Unmarshal(body, &md); err != nil || md.EntityID != idp.MetadataURL {
		t.Fatalf("metadata %q: %v", md.EntityID, err)
	}
	if len(md.IDPSSODescriptors) != 1 || len(md.IDPSSODescriptors[0].SingleSignOnServices) == 0 {
		t.Fatalf("no SSO service in %s", body)
	}
	var static crewsaml.EntityDescriptor
	if err := xml.Unmarshal(idp.Metadata, &static); err != nil || static.EntityID != md.EntityID {
		t.Fatalf("IdP.Metadata %q: %v", static.EntityID, err)
	}

	// An AuthnRequest from an SP the IdP does not know is refused.
	sp := crewsaml.ServiceProvider{EntityID: "https://stranger.example/metadata", IDPMetadata: &md,
		AcsURL: url.URL{Scheme: "https", Host: "stranger.example", Path: "/acs"}}
	u, err := sp.MakeRedirectAuthenticationRequest("rs")
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown SP: %s, want 400", resp.Status)
	}
}
