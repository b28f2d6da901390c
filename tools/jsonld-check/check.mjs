// Reads a JSON-LD document on stdin and writes its RDF as canonical N-Quads on stdout.
// Remote contexts are refused: the documents we check must carry their context inline.
import jsonld from "jsonld";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const doc = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const refuseRemote = async (url) => {
  throw new Error(`refusing to fetch ${url}: contexts must be inline`);
};
try {
  const nquads = await jsonld.toRDF(doc, { format: "application/n-quads", documentLoader: refuseRemote });
  process.stdout.write(nquads);
} catch (error) {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(2);
}
