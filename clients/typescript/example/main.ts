// The client end to end against a live server and worker (CI's TypeScript step): browse, search,
// register, verify (the token read from the worker's email output), log in, favorites with the
// reader flags, refresh, logout. API_URL and WORKER_LOG come from the environment.
import { readFileSync } from "node:fs";

import { ApiError, type Movie, type MovieFields, MovieNexus, expectNoContent, unwrap } from "../src/client.js";

const baseUrl = process.env.API_URL ?? "http://127.0.0.1:8000";
const workerLog = process.env.WORKER_LOG ?? "";
const client = new MovieNexus({ baseUrl });
const api = client.api;

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`example: ${what}`);
  console.log(`ok  ${what}`);
}

async function browse(): Promise<Movie> {
  const { data, meta } = await unwrap(api.GET("/api/v1/movies/", { params: { query: { page_size: 5 } } }));
  check(meta.pagination.total_results >= 1, `browse: ${meta.pagination.total_results} movie(s), source ${meta.source}`);
  const first = data[0];
  check(first !== undefined && first.title.length > 0, `browse: "${first?.title}" (${first?.release_date ?? "no date"})`);
  const slim = await unwrap(api.GET("/api/v1/movies/popular/", { params: { query: { fields: "title" } } }));
  const picked: MovieFields<"title">[] = slim.data;
  check(picked.every((movie) => Object.keys(movie).sort().join() === "id,title"), "browse: fields=title gives id and title");
  return first;
}

async function search(title: string): Promise<void> {
  const word = title.split(" ")[0] ?? title;
  const { data } = await unwrap(api.GET("/api/v1/movies/search/", { params: { query: { q: word } } }));
  check(data.some((movie) => movie.title === title), `search "${word}" finds "${title}"`);
}

async function register(email: string, password: string): Promise<void> {
  const { status, data } = await unwrap(api.POST("/api/v1/auth/register/", { body: { email, password } }));
  check(status === 202 && data.verification_required, `register ${email}: ${status}, verification required`);
}

async function verificationToken(email: string): Promise<string> {
  // The console email backend prints each message in the worker's output: To: … then the link.
  for (let waited = 0; waited < 60; waited += 1) {
    const log = workerLog ? readFileSync(workerLog, "utf8") : "";
    const start = log.lastIndexOf(`To: ${email}`);
    const token = start === -1 ? null : /verify-email\?token=([A-Za-z0-9_\-.:]+)/.exec(log.slice(start));
    if (token?.[1]) return token[1];
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`example: no verification email for ${email} in ${workerLog || "(WORKER_LOG unset)"}`);
}

async function verify(email: string): Promise<void> {
  const token = await verificationToken(email);
  check(token.length > 10, "verify: the worker sent the email (token read from its output)");
  const { data } = await unwrap(api.POST("/api/v1/auth/verify-email/", { body: { token } }));
  check(data.email_verified, "verify: email verified");
}

async function favorites(movie: Movie): Promise<void> {
  const added = await unwrap(api.POST("/api/v1/favorites/", { body: { movie_id: movie.id, user_rating: 9 } }));
  check(added.status === 201 && added.data.user_rating === 9, `favorites: added "${added.data.movie.title}" rated 9`);
  const again = await unwrap(api.POST("/api/v1/favorites/", { body: { movie_id: movie.id } }));
  check(again.status === 200 && again.data.id === added.data.id, "favorites: adding again is 200 with the same entry");
  try {
    // A typo the server refuses instead of dropping: only the untyped escape hatch can send it.
    await unwrap(api.POST("/api/v1/favorites/", { body: { movie_id: movie.id, rating: 7 } as never }));
    throw new Error("example: an unknown field was accepted");
  } catch (error) {
    check(error instanceof ApiError && error.code === "validation_error" && error.fields?.rating !== undefined, "favorites: unknown field is 400");
  }
  const detail = await unwrap(api.GET("/api/v1/movies/{tmdb_id}/", { params: { path: { tmdb_id: movie.id } } }));
  check(detail.data.is_favorite === true && detail.data.in_watchlist === false, "flags: is_favorite true, in_watchlist false");
  const list = await unwrap(api.GET("/api/v1/favorites/"));
  check(list.data.length === 1 && list.meta.pagination.total_results === 1, "favorites: the list holds it");
  await expectNoContent(api.DELETE("/api/v1/favorites/{id}/", { params: { path: { id: added.data.id } } }));
  const empty = await unwrap(api.GET("/api/v1/favorites/"));
  check(empty.data.length === 0, "favorites: removed");
}

async function refreshAndLogout(): Promise<void> {
  const before = client.currentSession;
  check(await client.refresh(), "refresh: a new token pair");
  check(client.currentSession?.refresh !== before?.refresh, "refresh: the refresh token rotated");
  // An access token the server no longer accepts: the client refreshes once and retries by itself.
  const session = client.currentSession;
  if (session) client.setSession({ ...session, access: `${session.access}x` });
  const me = await unwrap(api.GET("/api/v1/users/me/"));
  check(me.data.email.length > 0, "refresh: a call with a bad access token succeeded after one refresh");
  const spent = client.currentSession?.refresh ?? "";
  await client.logout();
  const after = await api.POST("/api/v1/auth/token/refresh/", { body: { refresh: spent } });
  check(after.response.status === 401, "logout: the session's refresh token no longer works");
}

async function main(): Promise<void> {
  const movie = await browse();
  await search(movie.title);
  const email = `ts-${Date.now()}@example.com`;
  const password = "correct horse battery staple 42";
  await register(email, password);
  await verify(email);
  const login = await client.login(email, password);
  check(login.user.email === email, `login: signed in as ${login.user.email}`);
  await favorites(movie);
  await refreshAndLogout();
  console.log("example: all steps passed");
}

main().catch((error: unknown) => {
  console.error(error instanceof ApiError ? `${error.status} ${error.code}: ${error.message}` : error);
  process.exit(1);
});
