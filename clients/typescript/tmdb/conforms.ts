// Runtime conformance to a library's declared types: the TypeScript compiler reads a type, and
// every property it requires must be in the JSON with a matching JSON type (optional ones when
// present; an object TMDb does not have may be null, as TMDb sends it).
import ts from "typescript";

const MAX_DEPTH = 12;
const SAMPLE = 5; // array elements checked per array

export function mismatches(file: string, typeName: string, answers: Record<string, unknown>): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  if (errors.length) throw new Error(`${file} does not compile: ${errors.join("; ")}`);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  const symbol = module && checker.getExportsOfModule(module).find((s) => s.name === typeName);
  if (!source || !symbol) throw new Error(`${file} exports no ${typeName}`);
  const expected = checker.getDeclaredTypeOfSymbol(symbol);
  return new Checker(checker, source).object(answers, expected, "", 0);
}

class Checker {
  constructor(private readonly checker: ts.TypeChecker, private readonly at: ts.Node) {}

  check(value: unknown, type: ts.Type, path: string, depth: number): string[] {
    const flags = type.flags;
    if (depth > MAX_DEPTH || flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    if (type.isUnion()) return this.union(value, type, path, depth);
    if (flags & ts.TypeFlags.Null) return value === null ? [] : [`${path}: ${show(value)}, expected null`];
    if (flags & ts.TypeFlags.Undefined) return value === undefined ? [] : [`${path}: ${show(value)}, expected undefined`];
    if (flags & ts.TypeFlags.StringLike) return primitive(value, "string", path);
    if (flags & ts.TypeFlags.NumberLike) return primitive(value, "number", path);
    if (flags & ts.TypeFlags.BooleanLike) return primitive(value, "boolean", path);
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) return this.array(value, type, path, depth);
    return this.object(value, type, path, depth);
  }

  private union(value: unknown, type: ts.UnionType, path: string, depth: number): string[] {
    let closest: string[] | undefined;
    for (const member of type.types) {
      const problems = this.check(value, member, path, depth);
      if (!problems.length) return [];
      if (!closest || problems.length < closest.length) closest = problems;
    }
    return closest ?? [];
  }

  private array(value: unknown, type: ts.Type, path: string, depth: number): string[] {
    if (!Array.isArray(value)) return [`${path}: ${show(value)}, expected an array`];
    const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
    if (!element) return [];
    return value.slice(0, SAMPLE).flatMap((item, index) => this.check(item, element, `${path}[${index}]`, depth + 1));
  }

  object(value: unknown, type: ts.Type, path: string, depth: number): string[] {
    if (value === null && path) return []; // e.g. belongs_to_collection: TMDb's null for "none"
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return [`${path || "$"}: ${show(value)}, expected an object`];
    }
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const property of this.checker.getPropertiesOfType(type)) {
      const name = property.getName();
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const where = path ? `${path}.${name}` : name;
      if (!(name in record)) {
        if (!optional) problems.push(`${where}: missing`);
        continue;
      }
      const propertyType = this.checker.getTypeOfSymbolAtLocation(property, this.at);
      const wanted = optional ? this.checker.getNonNullableType(propertyType) : propertyType;
      if (optional && record[name] === null) continue; // an optional field sent as null
      problems.push(...this.check(record[name], wanted, where, depth + 1));
    }
    for (const info of this.checker.getIndexInfosOfType(type)) {
      for (const [key, item] of Object.entries(record).slice(0, SAMPLE)) {
        problems.push(...this.check(item, info.type, path ? `${path}.${key}` : key, depth + 1));
      }
    }
    return problems;
  }
}

/** The JSON type only: tmdb-ts's literal unions miss some of TMDb's own values (profile size
 * "h632"), and TMDb sends null for a string it does not know (an image path, an external id),
 * which tmdb-ts types as a plain string. */
function primitive(value: unknown, kind: string, path: string): string[] {
  if (typeof value === kind || (kind === "string" && value === null)) return [];
  return [`${path}: ${show(value)}, expected ${kind}`];
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "absent" : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
