// Jena SHACL over many data files in one JVM (a JVM start costs about two seconds, and the
// tests validate some eighty fixtures): the calls Jena's own `shacl validate` command makes
// (ShaclValidator.validate, the report written as Turtle), once per data file.
// Run as a single-file program, no build step:
//   java -cp 'tests/jena/lib/*' tests/jena/ShaclBatch.java SHAPES DATA REPORT [DATA REPORT ...]
import java.io.FileOutputStream;
import java.io.OutputStream;

import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

public class ShaclBatch {
    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length % 2 == 0) {
            System.err.println("usage: ShaclBatch SHAPES DATA REPORT [DATA REPORT ...]");
            System.exit(2);
        }
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        for (int i = 1; i < args.length; i += 2) {
            Graph data = RDFDataMgr.loadGraph(args[i]);
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            try (OutputStream out = new FileOutputStream(args[i + 1])) {
                RDFDataMgr.write(out, report.getModel(), Lang.TURTLE);
            }
        }
    }
}
