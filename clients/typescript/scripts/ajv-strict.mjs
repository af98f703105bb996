// Compiles every schema of the OpenAPI document with ajv in strict mode (formats on): a `nullable`
// without a `type`, an unknown keyword or a contradictory schema fails here, and so fails CI.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const file = process.argv[2] ?? "../../docs/openapi.yaml";
const document = parse(readFileSync(file, "utf8"));

const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, validateFormats: true });
addFormats(ajv);
// OpenAPI 3.0 vocabulary ajv does not define (nullable is ajv's own, with its strict checks).
for (const keyword of ["example", "xml", "externalDocs"]) {
  ajv.addKeyword(keyword);
}
const rewrite = (node) => {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")
        ? [key, value.replace("#/components/schemas/", "openapi#/$defs/")]
        : [key, rewrite(value)],
    ),
  );
};

ajv.addSchema({ $id: "openapi", $defs: rewrite(document.components.schemas) });

let compiled = 0;
const failures = [];
const compile = (where, schema) => {
  try {
    ajv.compile(rewrite(schema));
    compiled += 1;
  } catch (error) {
    failures.push(`${where}: ${error.message}`);
  }
};
for (const name of Object.keys(document.components.schemas)) {
  compile(`components.schemas.${name}`, { $ref: `#/components/schemas/${name}` });
}
for (const [path, operations] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(operations)) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const [media, body] of Object.entries(response.content ?? {})) {
        compile(`${method.toUpperCase()} ${path} ${status} ${media}`, body.schema);
      }
    }
    for (const [media, body] of Object.entries(operation.requestBody?.content ?? {})) {
      compile(`${method.toUpperCase()} ${path} request ${media}`, body.schema);
    }
  }
}
if (failures.length) {
  console.error(`ajv strict: ${failures.length} schema(s) do not compile:\n${failures.join("\n")}`);
  process.exit(1);
}
console.log(`ajv strict: ${compiled} schemas compile`);
