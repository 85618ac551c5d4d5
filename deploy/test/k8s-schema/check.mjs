// Checks rendered Kubernetes manifests offline: node check.mjs MODULES_DIR FILE...
//
// Each object of each multi-document YAML FILE is validated against the Kubernetes API schema of its apiVersion and
// kind (types, required fields, formats), as shipped by the npm package kubernetes-models, and every field is looked
// up in the model's type declarations, so an unknown or misspelt field fails too (the schema alone lets those pass,
// as the API server would, dropping them in silence). MODULES_DIR is the node_modules folder holding
// kubernetes-models and js-yaml. Prints one line per object; exits 1 if any object fails.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: node check.mjs MODULES_DIR FILE...");
  process.exit(2);
}
const yaml = createRequire(join(modules, "..", "check.cjs"))("js-yaml");
const models = join(modules, "kubernetes-models");

// The properties of the interface declared in a model's .d.ts file, each with its type text; null for a file that
// declares no interface (a type alias such as IntOrString or Quantity, checked by the schema alone).
const declarations = new Map();
function declaration(dts) {
  if (declarations.has(dts)) return declarations.get(dts);
  const text = readFileSync(dts, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    imports.set(m[1], m[2].startsWith(".") ? resolve(dirname(dts), m[2].replace(/\.js$/, ".d.ts")) : join(modules, m[2] + ".d.ts"));
  }
  const start = text.match(/export interface \w+(?: extends [\w, ]+)? \{/);
  let result = null;
  if (start) {
    const properties = new Map();
    let depth = 1, i = start.index + start[0].length, name = null, type = "";
    while (depth > 0 && i < text.length) {
      const end = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i) + 1;
      const line = text.slice(i, end).trimEnd();
      i = end;
      const opens = (line.match(/\{/g) || []).length, closes = (line.match(/\}/g) || []).length;
      if (name === null && depth === 1) {
        const p = line.match(/^\s*"([^"]+)"\??: (.*)$/);
        if (p) {
          name = p[1];
          type = p[2];
        }
      } else if (name !== null) {
        type += " " + line;
      }
      depth += opens - closes;
      if (name !== null && depth === 1 && /;\s*$/.test(line)) {
        properties.set(name, parseType(type.trim().replace(/;$/, ""), imports));
        name = null;
      }
    }
    result = properties;
  }
  declarations.set(dts, result);
  return result;
}

function parseType(text, imports) {
  text = text.replace(/\s+/g, " ").replace(/ \| null$/, "").trim();
  const array = text.match(/^Array<(.+)>$/);
  if (array) return { array: parseType(array[1], imports) };
  const map = text.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return { map: parseType(map[1], imports) };
  if (imports.has(text)) return { dts: imports.get(text) };
  return { leaf: text };
}

function unknownFields(value, type, path, problems) {
  if (value === null || value === undefined) return;
  if (type.array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, type.array, `${path}[${i}]`, problems));
  } else if (type.map) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) unknownFields(v, type.map, `${path}.${k}`, problems);
  } else if (type.dts) {
    const properties = declaration(type.dts);
    if (properties === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (!properties.has(k)) problems.push(`${path}.${k}: unknown field`);
      else unknownFields(v, properties.get(k), `${path}.${k}`, problems);
    }
  }
}

let failed = 0, checked = 0;
for (const file of files) {
  for (const object of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (object === null) continue;
    checked++;
    const name = `${object.kind}/${object.metadata?.name ?? "?"} (${object.apiVersion})`;
    const base = join(models, ...String(object.apiVersion).split("/"), String(object.kind));
    if (!existsSync(base + ".js")) {
      console.log(`FAIL ${name}: no schema for this apiVersion and kind`);
      failed++;
      continue;
    }
    const problems = [];
    const Model = (await import(pathToFileURL(base + ".js").href))[object.kind];
    try {
      new Model(object).validate();
    } catch (e) {
      problems.push(...(e.errors ?? []).map((x) => `${x.instancePath || "/"}: ${x.message ?? x.keyword}`));
      if (problems.length === 0) problems.push(String(e.message ?? e));
    }
    unknownFields(object, { dts: base + ".d.ts" }, "", problems);
    if (problems.length > 0) {
      failed++;
      console.log(`FAIL ${name}:\n  ${problems.join("\n  ")}`);
    } else {
      console.log(`ok   ${name}`);
    }
  }
}
console.log(`${checked} objects checked, ${failed} failed`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
