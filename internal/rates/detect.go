package rates

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"slices"
	"strings"
)

// MaxFileSize is the largest rates file read, unpacked (the ECB's full
// history since 1999 is a few MB as CSV).
const MaxFileSize = 32 << 20

// Parsed is what a rates file held.
type Parsed struct {
	Name         string // the file's name; for a ZIP, "eurofxref.zip/eurofxref.csv"
	Format       Format
	Observations []Observation
}

// Detect tells the format of a rates file from its content: an XML
// document in the ECB's eurofxref namespace, a ';'-separated header with
// Norges Bank's code columns (FREQ, OBS_VALUE …), or a "Date, …" header.
// A ZIP (the ECB's eurofxref.zip) is looked into: it must hold one such
// file. name is only used in messages.
func Detect(name string, data []byte) (Format, error) {
	name, data, err := unwrap(name, data)
	if err != nil {
		return "", err
	}
	return detect(name, data)
}

func detect(name string, data []byte) (Format, error) {
	text := bytes.TrimSpace(trimBOM(data))
	if len(text) == 0 {
		return "", fileProblem(name, 0, "", CodeEmpty, "", nil)
	}
	if text[0] == '<' {
		if bytes.Contains(text, []byte(ecbNS)) {
			return FormatECBXML, nil
		}
		return "", fileProblem(name, 0, "", CodeUnknownFormat, "", nil)
	}
	first, _, _ := bytes.Cut(text, []byte("\n"))
	head := string(bytes.TrimRight(first, "\r"))
	if strings.Contains(head, ";") {
		// Any one of Norges Bank's code columns will do: the parser then
		// says which of the others is missing.
		for _, c := range strings.Split(head, ";") {
			if slices.Contains(nbColumns, strings.TrimSpace(c)) {
				return FormatNorgesBank, nil
			}
		}
	}
	if fs := ecbFields(head); len(fs) > 1 && strings.EqualFold(fs[0], "Date") {
		return FormatECBCSV, nil
	}
	return "", fileProblem(name, 1, "", CodeUnknownFormat, "", nil)
}

// Parse detects the format of a file and reads it: the one entry point
// for an upload or `samla import rates FILE`.
func Parse(name string, data []byte) (*Parsed, error) {
	name, data, err := unwrap(name, data)
	if err != nil {
		return nil, err
	}
	f, err := detect(name, data)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Name: name, Format: f}
	switch f {
	case FormatNorgesBank:
		p.Observations, err = ParseNorgesBank(name, data)
	case FormatECBXML:
		p.Observations, err = ParseECBXML(name, data)
	case FormatECBCSV:
		p.Observations, err = ParseECBCSV(name, data)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// unwrap checks the size and, for a ZIP, returns its one rates file with
// "archive.zip/member" as its name.
func unwrap(name string, data []byte) (string, []byte, error) {
	tooBig := func() error {
		return fileProblem(name, 0, "", CodeTooLarge, "", map[string]any{"MaxMB": MaxFileSize >> 20})
	}
	if len(data) > MaxFileSize {
		return "", nil, tooBig()
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return name, data, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, fileProblem(name, 0, "", CodeZip, err.Error(), nil)
	}
	var members []*zip.File
	var names []string
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		names = append(names, f.Name)
		if ext := strings.ToLower(path.Ext(f.Name)); ext == ".csv" || ext == ".xml" {
			members = append(members, f)
		}
	}
	if len(members) != 1 {
		return "", nil, fileProblem(name, 0, "", CodeZip, join(names), nil)
	}
	rc, err := members[0].Open()
	if err != nil {
		return "", nil, fileProblem(name, 0, "", CodeZip, err.Error(), nil)
	}
	defer rc.Close()
	// Read one byte past the limit: a member that claims to be small in
	// its header cannot unpack into more than MaxFileSize.
	inner, err := io.ReadAll(io.LimitReader(rc, MaxFileSize+1))
	if err != nil {
		return "", nil, fileProblem(name, 0, "", CodeZip, err.Error(), nil)
	}
	if len(inner) > MaxFileSize {
		return "", nil, tooBig()
	}
	return name + "/" + members[0].Name, inner, nil
}
