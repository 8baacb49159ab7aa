import { readFileSync } from "node:fs";

/**
 * A reader for the part of the Prisma schema language that prisma/schema.prisma uses: models with
 * scalar, enum and relation fields, enums, and the attributes below. Anything else (a @map, a
 * composite id, a native type such as @db.VarChar) throws, so the schema cannot grow a construct
 * the drift test would silently ignore.
 */
export interface SchemaField {
  name: string;
  /** Scalar type, enum name or model name. */
  type: string;
  optional: boolean;
  list: boolean;
  id: boolean;
  unique: boolean;
  updatedAt: boolean;
  /** The @default argument as written, e.g. `now()`, `0`, `draft`, `"{}"`. */
  default: string | null;
  relation: { fields: string[]; references: string[]; onDelete: string | null } | null;
}

export interface SchemaModel {
  name: string;
  fields: SchemaField[];
  uniques: string[][];
  indexes: string[][];
}

export interface PrismaSchema {
  models: SchemaModel[];
  enums: Map<string, string[]>;
}

export const SCALAR_TYPES = new Set(["String", "Int", "Float", "Boolean", "DateTime", "Json", "Bytes"]);

const list = (text: string) =>
  text
    .replace(/^\[|\]$/g, "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** The named arguments of an attribute: `fields: [a, b], references: [id], onDelete: Cascade`. */
function namedArguments(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of text.matchAll(/(\w+)\s*:\s*(\[[^\]]*\]|\w+)/g)) result.set(match[1]!, match[2]!);
  return result;
}

/** Splits `@id @default(uuid()) @relation(fields: [a], …)` into attributes with their arguments. */
function attributes(text: string): { name: string; args: string }[] {
  const found: { name: string; args: string }[] = [];
  let index = 0;
  while (index < text.length) {
    const at = text.indexOf("@", index);
    if (at < 0) break;
    const name = /^@[\w.]+/.exec(text.slice(at))![0];
    let end = at + name.length;
    let args = "";
    if (text[end] === "(") {
      let depth = 0;
      const start = end;
      for (; end < text.length; end++) {
        if (text[end] === "(") depth++;
        if (text[end] === ")" && --depth === 0) break;
      }
      args = text.slice(start + 1, end);
      end++;
    }
    found.push({ name, args });
    index = end;
  }
  return found;
}

function parseField(line: string, model: string): SchemaField {
  const match = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
  if (!match) throw new Error(`${model}: cannot read field line "${line}"`);
  const [, name, type, listMark, optionalMark, rest] = match;
  const field: SchemaField = {
    name: name!,
    type: type!,
    optional: Boolean(optionalMark),
    list: Boolean(listMark),
    id: false,
    unique: false,
    updatedAt: false,
    default: null,
    relation: null,
  };
  for (const attribute of attributes(rest!)) {
    if (attribute.name === "@id") field.id = true;
    else if (attribute.name === "@unique") field.unique = true;
    else if (attribute.name === "@updatedAt") field.updatedAt = true;
    else if (attribute.name === "@default") field.default = attribute.args.trim();
    else if (attribute.name === "@relation") {
      const args = namedArguments(attribute.args);
      for (const key of args.keys()) {
        if (!["fields", "references", "onDelete"].includes(key)) throw new Error(`${model}.${field.name}: unsupported @relation argument ${key}`);
      }
      field.relation = { fields: list(args.get("fields") ?? ""), references: list(args.get("references") ?? ""), onDelete: args.get("onDelete") ?? null };
    } else throw new Error(`${model}.${field.name}: unsupported attribute ${attribute.name}`);
  }
  return field;
}

export function readPrismaSchema(path = "prisma/schema.prisma"): PrismaSchema {
  const text = readFileSync(path, "utf8").replace(/\/\/.*$/gm, "");
  const schema: PrismaSchema = { models: [], enums: new Map() };
  for (const block of text.matchAll(/^(model|enum)\s+(\w+)\s*\{\n([\s\S]*?)\n\}/gm)) {
    const [, kind, name, body] = block;
    const lines = body!.split("\n").map((line) => line.trim()).filter(Boolean);
    if (kind === "enum") {
      schema.enums.set(name!, lines);
      continue;
    }
    const model: SchemaModel = { name: name!, fields: [], uniques: [], indexes: [] };
    for (const line of lines) {
      if (line.startsWith("@@")) {
        const [attribute] = attributes(line.slice(1));
        const columns = list(/^\s*(\[[^\]]*\])/.exec(attribute!.args)?.[1] ?? "");
        if (attribute!.name === "@unique") model.uniques.push(columns);
        else if (attribute!.name === "@index") model.indexes.push(columns);
        else throw new Error(`${model.name}: unsupported block attribute @${attribute!.name}`);
      } else {
        model.fields.push(parseField(line, model.name));
      }
    }
    schema.models.push(model);
  }
  const blocks = [...text.matchAll(/^(\w+)\s+\w+\s*\{/gm)].map((match) => match[1]);
  const unknown = blocks.filter((kind) => !["model", "enum", "generator", "datasource"].includes(kind!));
  if (unknown.length > 0) throw new Error(`unsupported schema blocks: ${unknown.join(", ")}`);
  return schema;
}
