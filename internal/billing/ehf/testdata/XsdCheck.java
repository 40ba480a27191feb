// XsdCheck validates UBL 2.1 Invoice and CreditNote files against the OASIS
// schemas with the JDK's own validator (Saxon-HE has no schema validation).
// Run as a source file, so nothing is compiled into the repository:
//
//   java XsdCheck.java XSD_DIR FILE.xml...
//
// XSD_DIR holds maindoc/ and common/ of the UBL 2.1 release (xsdrt).
// Prints "OK FILE" or "FAIL FILE: line:col: message" per file, one line each;
// exit status 0 when the run itself worked, whatever the files' results.
import java.io.File;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.SAXParseException;

public class XsdCheck {
    public static void main(String[] args) throws Exception {
        SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        Schema invoice = sf.newSchema(new File(args[0], "maindoc/UBL-Invoice-2.1.xsd"));
        Schema credit = sf.newSchema(new File(args[0], "maindoc/UBL-CreditNote-2.1.xsd"));
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        for (int i = 1; i < args.length; i++) {
            File f = new File(args[i]);
            try {
                String root = dbf.newDocumentBuilder().parse(f).getDocumentElement().getLocalName();
                Validator v = ("CreditNote".equals(root) ? credit : invoice).newValidator();
                v.validate(new StreamSource(f));
                System.out.println("OK " + f.getName());
            } catch (SAXParseException e) {
                System.out.println("FAIL " + f.getName() + ": " + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
            } catch (Exception e) {
                System.out.println("FAIL " + f.getName() + ": " + e);
            }
        }
    }
}
