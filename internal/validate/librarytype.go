package validate

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Library types, as stored and exchanged across the product.
const (
	TypePublic         = "public"
	TypeCounty         = "county"
	TypeUpperSecondary = "upper_secondary"
	TypePrimarySchool  = "primary_school"
	TypeAcademic       = "academic"
	TypeSpecial        = "special"
	TypeOther          = "other"
)

// LibraryTypes in the order the UI lists them.
var LibraryTypes = []string{
	TypePublic, TypeCounty, TypeUpperSecondary, TypePrimarySchool, TypeAcademic, TypeSpecial, TypeOther,
}

// typeWords maps what people write in spreadsheets to a type. Keys are lower
// case, NFC, single-spaced. "skolebibliotek" (and "school library") is left
// out on purpose: it is used for both primary and upper secondary school
// libraries, and guessing wrong would misfile the library silently.
var typeWords = map[string]string{
	// Norwegian (Bokmål, and Nynorsk where it differs)
	"folkebibliotek":      TypePublic,
	"fylkesbibliotek":     TypeCounty,
	"vgs":                 TypeUpperSecondary,
	"videregående":        TypeUpperSecondary,
	"videregående skole":  TypeUpperSecondary,
	"vidaregåande":        TypeUpperSecondary,
	"vidaregåande skule":  TypeUpperSecondary,
	"grunnskole":          TypePrimarySchool,
	"grunnskule":          TypePrimarySchool,
	"grunnskolebibliotek": TypePrimarySchool,
	"universitet":         TypeAcademic,
	"høgskolebibliotek":   TypeAcademic,
	"fag":                 TypeSpecial,
	"fagbibliotek":        TypeSpecial,
	"annet":               TypeOther,
	"anna":                TypeOther,

	// Swedish
	"folkbibliotek":         TypePublic,
	"länsbibliotek":         TypeCounty,
	"regionbibliotek":       TypeCounty,
	"gymnasiebibliotek":     TypeUpperSecondary,
	"grundskolebibliotek":   TypePrimarySchool,
	"högskolebibliotek":     TypeAcademic,
	"universitetsbibliotek": TypeAcademic, // same word in Norwegian
	"sjukhusbibliotek":      TypeSpecial,
	"annat":                 TypeOther,

	// English
	"public library":         TypePublic,
	"county library":         TypeCounty,
	"upper secondary":        TypeUpperSecondary,
	"upper secondary school": TypeUpperSecondary,
	"primary school":         TypePrimarySchool,
	"academic library":       TypeAcademic,
	"university library":     TypeAcademic,
	"special library":        TypeSpecial,
}

// LibraryType returns the type code for s: one of LibraryTypes (in any case)
// or a Norwegian, Swedish or English word for it.
func LibraryType(s string) (string, *Problem) {
	key := strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
	for _, t := range LibraryTypes {
		if key == t {
			return t, nil
		}
	}
	if t, ok := typeWords[key]; ok {
		return t, nil
	}
	return "", problem("type", CodeTypeUnknown, s, nil)
}
