// tmdb-ts, unmodified, walks the mirror's TMDb-compatible API (CI's TypeScript step): configuration,
// genres (also in French), the movie lists, trending, details with every append, the sub-resources,
// search, discover, changes and find. Each answer must hold every field tmdb-ts's types require,
// with their types (conforms.ts reads the library's declarations).
// TMDB_COMPAT_URL (e.g. http://127.0.0.1:18100/tmdb/3) and TMDB_COMPAT_KEY come from the environment.
import { fileURLToPath } from "node:url";

import { TMDB } from "tmdb-ts";

import { mismatches } from "./conforms.js";

const TMDB_BASE = "https://api.themoviedb.org/3";
const base = (process.env.TMDB_COMPAT_URL ?? "http://127.0.0.1:8000/tmdb/3").replace(/\/$/, "");
const key = process.env.TMDB_COMPAT_KEY ?? "";
const EXPECTED = fileURLToPath(new URL("../../tmdb/expected.ts", import.meta.url));

/** tmdb-ts has no base-URL option, but takes a fetch: this one sends its requests to the mirror. */
const toMirror: typeof fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  if (!url.startsWith(TMDB_BASE)) throw new Error(`tmdb-ts asked for ${url}`);
  return fetch(base + url.slice(TMDB_BASE.length), init);
};

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`tmdb walk: ${what}`);
  console.log(`ok  ${what}`);
}

async function walk(tmdb: TMDB): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  answers.configuration = await tmdb.configuration.getApiConfiguration();
  answers.genres = await tmdb.genres.movies();
  answers.genresFrench = await tmdb.genres.movies({ language: "fr-FR" });
  const popular = await tmdb.movies.popular();
  answers.popular = popular;
  check(popular.results.length > 0 && popular.total_pages <= 500, `popular: ${popular.total_results} movies`);
  answers.topRated = await tmdb.movies.topRated();
  answers.nowPlaying = await tmdb.movies.nowPlaying();
  answers.upcoming = await tmdb.movies.upcoming({ region: "US" });
  answers.trending = await tmdb.trending.trending("movie", "week");
  const id = popular.results[0]!.id;
  const details = await tmdb.movies.details(id, ["credits", "videos", "keywords", "external_ids", "recommendations", "similar"]);
  answers.details = details;
  check(details.id === id && Array.isArray(details.credits.cast), `details of ${id} with appends: "${details.title}"`);
  answers.credits = await tmdb.movies.credits(id);
  answers.videos = await tmdb.movies.videos(id);
  answers.keywords = await tmdb.movies.keywords(id);
  answers.externalIds = await tmdb.movies.externalIds(id);
  answers.recommendations = await tmdb.movies.recommendations(id);
  answers.similar = await tmdb.movies.similar(id);
  const word = details.title.split(" ")[0] ?? details.title;
  const search = await tmdb.search.movies({ query: word });
  answers.search = search;
  check(search.results.some((movie) => movie.id === id), `search "${word}" finds ${id}`);
  const genre = details.genres[0]?.id;
  const discover = await tmdb.discover.movie(genre ? { with_genres: String(genre), sort_by: "popularity.desc" } : {});
  answers.discover = discover;
  check(discover.results.length > 0, `discover with_genres=${genre}: ${discover.total_results} movies`);
  answers.changes = await tmdb.changes.movies();
  const imdb = details.external_ids.imdb_id;
  const found = imdb ? await tmdb.find.byExternalId(imdb, { external_source: "imdb_id" }) : undefined;
  answers.find = found;
  check(found?.movie_results.some((movie) => movie.id === id) ?? false, `find ${imdb} finds ${id}`);
  return answers;
}

async function refused(): Promise<void> {
  const bad = new TMDB("not-a-key", { fetch: toMirror });
  const error = (await bad.movies.popular().then(() => undefined, (body: unknown) => body)) as
    | { status_code?: number; success?: boolean }
    | undefined;
  check(error?.status_code === 7 && error.success === false, "a bad key is refused with TMDb's status_code 7");
}

/** The check itself can fail: a copy missing a field, or with one of another type, is caught. */
function checkerCatches(answers: Record<string, unknown>): void {
  const doctored = structuredClone(answers) as { popular: { results: Record<string, unknown>[] } };
  const [first, second] = doctored.popular.results;
  delete first!.vote_count;
  second!.id = String(second!.id);
  const caught = mismatches(EXPECTED, "Expected", doctored);
  check(
    caught.includes("popular.results[0].vote_count: missing") && caught.some((p) => p.startsWith("popular.results[1].id:")),
    "the type check catches a missing field and a mistyped one",
  );
}

const answers = await walk(new TMDB(key, { fetch: toMirror }));
await refused();
checkerCatches(answers);
const problems = mismatches(EXPECTED, "Expected", answers);
for (const problem of problems) console.error(`tmdb-ts expects ${problem}`);
check(problems.length === 0, `every answer has every field tmdb-ts's types require (${Object.keys(answers).length} answers)`);
