package counter

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// GenerateTR writes a synthetic R5.1 Title Report of the given size for
// benchmarks: format "json" gives rows Report_Items (one attribute
// combination, two metrics, twelve months each), so Read makes rows
// callbacks; "tsv" gives rows data lines. Counts are deterministic.
func GenerateTR(w io.Writer, format string, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var err error
	switch format {
	case "json":
		err = genJSON(bw, rows)
	case "tsv":
		err = genTSV(bw, rows)
	default:
		return fmt.Errorf("generate TR: unknown format %q (json, tsv)", format)
	}
	if err != nil {
		return fmt.Errorf("generate TR %s: %w", format, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("generate TR %s: %w", format, err)
	}
	return nil
}

var genMonths = [12]string{"2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12"}

func genCount(i, m, metric int) int64 { return int64((i*7+m*13+metric*5)%50 + 1) }

func genJSON(w *bufio.Writer, rows int) error {
	if _, err := w.WriteString(`{"Report_Header":{"Release":"5.1","Report_ID":"TR","Report_Name":"Title Report",` +
		`"Created":"2023-02-15T09:11:12Z","Created_By":"Samla benchmark","Institution_ID":{"ISIL":["NO-0030100"]},` +
		`"Institution_Name":"Bench Library","Report_Attributes":{"Attributes_To_Show":["YOP","Access_Type","Access_Method"]},` +
		`"Report_Filters":{"Begin_Date":"2022-01-01","End_Date":"2022-12-31"}},"Report_Items":[`); err != nil {
		return err
	}
	buf := make([]byte, 0, 2048)
	for i := range rows {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"Title":"Title `...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, `","Publisher":"Publisher `...)
		buf = strconv.AppendInt(buf, int64(i%97), 10)
		buf = append(buf, `","Publisher_ID":{"ISNI":["4321432143214321"]},"Platform":"Platform 1","Item_ID":{"DOI":"10.9999/bench.`...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, `","Proprietary":"P1:T`...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, `"},"Attribute_Performance":[{"Data_Type":"Journal","YOP":"20`...)
		buf = strconv.AppendInt(buf, int64(10+i%13), 10)
		buf = append(buf, `","Access_Type":"Controlled","Access_Method":"Regular","Performance":{`...)
		for metric, name := range []string{"Total_Item_Requests", "Unique_Item_Requests"} {
			if metric > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '"')
			buf = append(buf, name...)
			buf = append(buf, `":{`...)
			for m, month := range genMonths {
				if m > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, '"')
				buf = append(buf, month...)
				buf = append(buf, `":`...)
				buf = strconv.AppendInt(buf, genCount(i, m, metric), 10)
			}
			buf = append(buf, '}')
		}
		buf = append(buf, `}}]}`...)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	_, err := w.WriteString("]}\n")
	return err
}

func genTSV(w *bufio.Writer, rows int) error {
	if _, err := w.WriteString("\ufeffReport_Name\tTitle Report\nReport_ID\tTR\nRelease\t5.1\nInstitution_Name\tBench Library\n" +
		"Institution_ID\tISIL:NO-0030100\nMetric_Types\t\nReport_Filters\t\nReport_Attributes\tAttributes_To_Show=YOP|Access_Type|Access_Method\n" +
		"Exceptions\t\nReporting_Period\tBegin_Date=2022-01-01; End_Date=2022-12-31\nCreated\t2023-02-15T09:11:12Z\n" +
		"Created_By\tSamla benchmark\nRegistry_Record\t\n\n" +
		"Title\tPublisher\tPublisher_ID\tPlatform\tDOI\tProprietary_ID\tISBN\tPrint_ISSN\tOnline_ISSN\tURI\tData_Type\tYOP\tAccess_Type\tAccess_Method\tMetric_Type\tReporting_Period_Total" +
		"\tJan-2022\tFeb-2022\tMar-2022\tApr-2022\tMay-2022\tJun-2022\tJul-2022\tAug-2022\tSep-2022\tOct-2022\tNov-2022\tDec-2022\n"); err != nil {
		return err
	}
	buf := make([]byte, 0, 1024)
	for r := range rows {
		i, metric := r/2, r%2
		buf = append(buf[:0], "Title "...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, "\tPublisher "...)
		buf = strconv.AppendInt(buf, int64(i%97), 10)
		buf = append(buf, "\tISNI:4321432143214321\tPlatform 1\t10.9999/bench."...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, "\tP1:T"...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, "\t\t\t\t\tJournal\t20"...)
		buf = strconv.AppendInt(buf, int64(10+i%13), 10)
		buf = append(buf, "\tControlled\tRegular\t"...)
		buf = append(buf, []string{"Total_Item_Requests", "Unique_Item_Requests"}[metric]...)
		var total int64
		for m := range genMonths {
			total += genCount(i, m, metric)
		}
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, total, 10)
		for m := range genMonths {
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, genCount(i, m, metric), 10)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
