/**
 * The fuzzer's view of openapi/openapi.json: every operation with its parameters, request body and documented
 * responses, and a checker for answers — a documented status, the documented media type, a body that validates
 * against the documented schema (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1), and for a problem a `type`
 * the documentation of that status names. Nothing here knows any operation by name: a new operation in the
 * document is fuzzed as it comes.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import document from "../../../openapi/openapi.json";

export type Schema = Record<string, any>;
export const spec = document as unknown as {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: Schema;
}

export interface Documented {
  /** Media type → schema; empty when the status is documented without a body (204, a redirect). */
  content: Map<string, Schema>;
  /** Problem types the documentation names for this status (`type-slug`: title; …), when it is a problem. */
  problemTypes: string[];
}

export interface SpecOperation {
  id: string;
  method: string;
  /** OpenAPI path template, e.g. /v1/profiles/{profileId}. */
  path: string;
  parameters: Parameter[];
  /** The request body's schema and the document's example of it (a valid request to start from). */
  body: { schema: Schema; required: boolean; example?: unknown } | null;
  secured: boolean;
  responses: Map<number, Documented>;
}

/** Every operation of the document, in document order. */
export function specOperations(): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const responses = new Map<number, Documented>();
      for (const [status, r] of Object.entries(op.responses as Record<string, Schema>)) {
        const content = new Map<string, Schema>(
          Object.entries((r.content ?? {}) as Record<string, Schema>).map(([m, c]) => [m, c.schema ?? {}]),
        );
        const problemTypes = [...String(r.description ?? "").matchAll(/`([a-z-]+)`:/g)].map((m) => m[1]!);
        responses.set(Number(status), { content, problemTypes });
      }
      const json = op.requestBody?.content?.["application/json"];
      out.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []) as Parameter[],
        body: json
          ? {
              schema: json.schema ?? {},
              required: Boolean(op.requestBody.required),
              ...("example" in json ? { example: json.example } : {}),
            }
          : null,
        secured: Array.isArray(op.security) && op.security.length > 0,
        responses,
      });
    }
  }
  return out;
}

/** `#/components/schemas/X` → `#/$defs/X` inside the components, `pitwall#/$defs/X` outside. */
function rewriteRefs(node: unknown, prefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, prefix));
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node))
      out[k] =
        k === "$ref" && typeof v === "string"
          ? v.replace("#/components/schemas/", `${prefix}#/$defs/`)
          : rewriteRefs(v, prefix);
    return out;
  }
  return node;
}

let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction>();

/** A validator for a response schema of the document (compiled once per distinct schema). */
export function validatorFor(schema: Schema): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (v) return v;
  if (!ajv) {
    // strict: false — OpenAPI adds keywords JSON Schema does not know (example, discriminator); they do not assert.
    ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ $id: "pitwall", $defs: rewriteRefs(spec.components.schemas, "") as Record<string, Schema> });
  }
  v = ajv.compile(rewriteRefs(schema, "pitwall") as Schema);
  compiled.set(key, v);
  return v;
}

/** What is wrong with an answer to `op`, or nothing. */
export function checkAnswer(op: SpecOperation, status: number, contentType: string | null, text: string): string[] {
  const wrong: string[] = [];
  if (status >= 500) wrong.push(`a ${status}`);
  const doc = op.responses.get(status);
  if (!doc) return [...wrong, `status ${status} is not documented (${[...op.responses.keys()].join(", ")})`];
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (!doc.content.size) return text ? [...wrong, `a body on a ${status} documented without one`] : wrong;
  const schema = doc.content.get(media);
  if (!schema)
    return [...wrong, `content type ${media || "(none)"}, documented ${[...doc.content.keys()].join(" or ")}`];
  // Only JSON bodies have a schema to check here (an HTML page or a script is checked by its media type).
  if (!/[/+]json$/.test(media)) return wrong;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...wrong, `the body is not JSON: ${text.slice(0, 120)}`];
  }
  const validate = validatorFor(schema);
  if (!validate(body))
    wrong.push(
      `the body does not match its schema: ${(validate.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath || "/"} ${e.message}`)
        .join("; ")}`,
    );
  if (media === "application/problem+json") {
    const p = body as { type?: string; status?: number };
    if (p.status !== status) wrong.push(`problem status ${String(p.status)} on a ${status}`);
    const slug = String(p.type ?? "").replace("https://pitwall.dev/problems/", "");
    if (doc.problemTypes.length && !doc.problemTypes.includes(slug))
      wrong.push(`problem type ${slug} is not documented for ${status} (${doc.problemTypes.join(", ")})`);
  }
  return wrong;
}
