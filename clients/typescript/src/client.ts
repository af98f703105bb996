// A thin wrapper over openapi-fetch for the Movie Nexus API: the generated types (schema.d.ts),
// the envelope unwrapped into data/meta or an ApiError, the access token refreshed once on
// `token_not_valid`, and 429/503 retried after `Retry-After`.
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
export type Schemas = components["schemas"];
export type ErrorEnvelope = Schemas["ErrorEnvelope"];
export type ErrorCode = Schemas["ErrorCode"];
export type FieldErrors = NonNullable<Schemas["ErrorDetail"]["fields"]>;
/** A movie in a list, as served without `fields=`: every documented property is there. */
export type Movie = Schemas["MovieList"];
export type MovieDetail = Schemas["MovieDetail"];
/** With `fields=`, only the named properties and `id`. */
export type MovieFields<K extends keyof Movie> = Pick<Movie, K | "id">;

export interface Session {
  access: string;
  refresh: string;
}

export interface ClientOptions {
  /** The server's origin, e.g. http://localhost:8000 (the paths carry /api/v1/). */
  baseUrl: string;
  session?: Session | null;
  /** Called whenever the session changes (login, refresh, logout): store the new refresh token. */
  onSession?: (session: Session | null) => void;
  /** 429/503 answers with Retry-After are retried this many times (waits above maxWaitSeconds are not). */
  retries?: number;
  maxWaitSeconds?: number;
  fetch?: typeof globalThis.fetch;
}

/** An error answer of the API (or the network), with its stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network_error",
    message: string,
    readonly fields: FieldErrors | null = null,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  return typeof body === "object" && body !== null && (body as { success?: unknown }).success === false;
}

/** The success envelope's parts; every operation's 2xx JSON body has this shape (`data` is typed
 * null-only where an operation returns none, which openapi-fetch's types may leave out). */
interface SuccessEnvelope {
  success: true;
  data?: unknown;
  meta: unknown;
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** `data` and `meta` of a success, or throws ApiError with the envelope's code and field messages. */
export async function unwrap<T extends SuccessEnvelope>(
  pending: Promise<Outcome<T>>,
): Promise<{ data: T["data"]; meta: T["meta"]; status: number }> {
  const { data: body, error, response } = await pending;
  if (body !== undefined && body.success) {
    return { data: body.data, meta: body.meta, status: response.status };
  }
  throw toApiError(response, error);
}

/** For operations that answer 204 No Content. */
export async function expectNoContent(pending: Promise<Outcome<unknown>>): Promise<void> {
  const { error, response } = await pending;
  if (response.status !== 204) throw toApiError(response, error);
}

function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = Number(response.headers.get("Retry-After")) || null;
  if (isErrorEnvelope(body)) {
    const { code, detail, fields } = body.errors;
    return new ApiError(response.status, code, detail, fields ?? null, retryAfter);
  }
  return new ApiError(response.status, "network_error", `HTTP ${response.status} without an envelope`, null, retryAfter);
}

const REFRESH_PATH = "/api/v1/auth/token/refresh/";
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** The API client: `api` is the typed openapi-fetch client; the session travels with it. */
export class MovieNexus {
  readonly api: Client<paths>;
  private session: Session | null;
  private refreshing: Promise<boolean> | null = null;
  private readonly send: typeof globalThis.fetch;

  constructor(private readonly options: ClientOptions) {
    this.session = options.session ?? null;
    this.send = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.api = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => this.fetchWithPolicy(request) });
  }

  get currentSession(): Session | null {
    return this.session;
  }

  setSession(session: Session | null): void {
    this.session = session;
    this.options.onSession?.(session);
  }

  async login(email: string, password: string): Promise<Schemas["LoginOutput"]> {
    const { data } = await unwrap(this.api.POST("/api/v1/auth/login/", { body: { email, password } }));
    this.setSession({ access: data.access, refresh: data.refresh });
    return data;
  }

  /** Trades the refresh token for a new pair (the old refresh token is then spent). */
  async refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async logout(): Promise<void> {
    const refresh = this.session?.refresh;
    if (refresh) await unwrap(this.api.POST("/api/v1/auth/logout/", { body: { refresh } }));
    this.setSession(null);
  }

  private async doRefresh(): Promise<boolean> {
    const refresh = this.session?.refresh;
    if (!refresh) return false;
    const response = await this.send(
      new Request(new URL(REFRESH_PATH, this.options.baseUrl), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh }),
      }),
    );
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok || isErrorEnvelope(body)) {
      this.setSession(null);
      return false;
    }
    const pair = (body as { data: Schemas["TokenPairOutput"] }).data;
    this.setSession({ access: pair.access, refresh: pair.refresh });
    return true;
  }

  /** Adds the bearer token; refreshes once on token_not_valid; waits out Retry-After on 429/503. */
  private async fetchWithPolicy(request: Request): Promise<Response> {
    const retries = this.options.retries ?? 2;
    const maxWait = this.options.maxWaitSeconds ?? 30;
    let refreshed = false;
    for (let attempt = 0; ; attempt += 1) {
      const response = await this.send(this.authorized(request.clone()));
      if (response.status === 401 && !refreshed && request.url.indexOf(REFRESH_PATH) === -1) {
        const body: unknown = await response.clone().json().catch(() => null);
        if (isErrorEnvelope(body) && body.errors.code === "token_not_valid" && (await this.refresh())) {
          refreshed = true;
          continue;
        }
      }
      const wait = Number(response.headers.get("Retry-After"));
      if ((response.status === 429 || response.status === 503) && wait > 0 && wait <= maxWait && attempt < retries) {
        await sleep(wait);
        continue;
      }
      return response;
    }
  }

  private authorized(request: Request): Request {
    if (this.session && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${this.session.access}`);
    }
    return request;
  }
}
