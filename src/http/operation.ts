/**
 * One operation, one place: path, auth requirement, OpenAPI schema, request example and handler.
 * `defineOperation` derives the security requirement and the problem responses from the same
 * tables the middleware and the error handler use, so the spec cannot disagree with the code.
 */
import {
  InputValidationException,
  MultiException,
  OpenAPIRoute,
  type OpenAPIRouteSchema,
  type ValidatedData,
} from "chanfana";
import { z } from "zod";
import type { AuthRequirement } from "./auth";
import type { AppContext } from "./context";
import { AUTH_PROBLEMS, BODY_PROBLEMS, COMMON_PROBLEMS, problemResponses, type ProblemType } from "./problems";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface OperationDef<S extends OpenAPIRouteSchema> {
  method: Method;
  /** Hono-style path, e.g. /v1/dealers/:dealerId */
  path: string;
  /** null: public operation. */
  auth: AuthRequirement | null;
  /** Failures beyond the common, auth and body ones. */
  problems?: ProblemType[];
  schema: S;
  /**
   * Validation schema for the body when it must be laxer than the documented one (e.g. a batch whose
   * items are validated one by one, so that one bad item does not refuse the rest).
   */
  validateBody?: import("zod").ZodType;
  /** A valid request, shown in the OpenAPI document and replayed by the security suite. */
  example: { body?: unknown };
  handle(c: AppContext, data: ValidatedData<S>): Promise<Response> | Response;
}

export interface Operation extends OperationDef<OpenAPIRouteSchema> {
  endpoint: typeof OpenAPIRoute;
  hasBody: boolean;
}

/** Builds the chanfana endpoint class of an operation. */
export function defineOperation<S extends OpenAPIRouteSchema>(def: OperationDef<S>): Operation {
  const hasBody = Boolean(def.schema.request?.body);
  const problems: ProblemType[] = [
    ...(hasBody || def.schema.request?.params || def.schema.request?.query ? ["validation-failed" as const] : []),
    ...(hasBody ? BODY_PROBLEMS : []),
    ...(def.auth ? AUTH_PROBLEMS : []),
    ...(def.auth?.kinds.includes("publishable") ? (["origin-not-allowed"] as const) : []),
    ...(def.problems ?? []),
    ...COMMON_PROBLEMS,
  ];
  const request = def.schema.request;
  const body = request?.body;
  // A body an operation takes is required (the document says so; a missing one is 400 or 415, never "empty").
  const schema = {
    ...def.schema,
    ...(body
      ? {
          request: {
            ...request,
            body: {
              ...body,
              required: true,
              content: {
                "application/json": {
                  ...body.content["application/json"]!,
                  ...(def.example.body !== undefined ? { example: def.example.body } : {}),
                },
              },
            },
          },
        }
      : {}),
    security: def.auth ? [{ apiKey: [] }] : [],
    responses: { ...def.schema.responses, ...problemResponses(problems) },
  };
  // The request's validation schema, built once per operation: chanfana builds a new strict object of params,
  // query, headers and body on every request (issue 11: ~10% of a decision's CPU went to building and compiling it).
  let validation: z.ZodType | null = null;
  class Endpoint extends OpenAPIRoute {
    override schema = schema as OpenAPIRouteSchema;
    override getSchemaZod(): OpenAPIRouteSchema {
      const s = super.getSchemaZod();
      // chanfana builds the document from an instance without a router, and validates with one.
      if (!def.validateBody || !(this.params as { router?: unknown } | undefined)?.router) return s;
      return {
        ...s,
        request: { ...s.request, body: { content: { "application/json": { schema: def.validateBody } } } },
      };
    }
    /** chanfana's validateRequest (same schema, same strictness, same errors) with the schema built once. */
    override async validateRequest(_request: Request) {
      if (!validation) {
        const s = this.getSchemaZod();
        const shape: Record<string, z.ZodType> = {};
        if (s.request?.params) shape.params = s.request.params as z.ZodType;
        if (s.request?.query) shape.query = s.request.query as z.ZodType;
        if (s.request?.headers) shape.headers = s.request.headers as z.ZodType;
        const b = s.request?.body?.content?.["application/json"]?.schema;
        if (b && def.method !== "get") shape.body = b as z.ZodType;
        validation = z.strictObject(shape);
      }
      const data = await this.getUnvalidatedData();
      const r = await validation.safeParseAsync(data);
      if (r.success) return r.data as never;
      throw new MultiException(
        r.error.issues.map((issue) => new InputValidationException(issue.message, issue.path.map(String))),
      );
    }
    override async handle(c: AppContext) {
      const data = (await this.getValidatedData()) as ValidatedData<S>;
      return def.handle(c, data);
    }
  }
  return { ...(def as unknown as OperationDef<OpenAPIRouteSchema>), endpoint: Endpoint, hasBody };
}
