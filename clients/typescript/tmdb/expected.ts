// What tmdb-ts promises for each call of the walk: the return types of the library's own methods
// (no type is written here). conforms.ts reads this file with the TypeScript compiler and checks
// every answer of the mirror against these types, field by field.
import type { TMDB } from "tmdb-ts";

declare const tmdb: TMDB;
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
export type Appends = ["credits", "videos", "keywords", "external_ids", "recommendations", "similar"];

export interface Expected {
  configuration: Answer<TMDB["configuration"]["getApiConfiguration"]>;
  genres: Answer<TMDB["genres"]["movies"]>;
  genresFrench: Answer<TMDB["genres"]["movies"]>;
  popular: Answer<TMDB["movies"]["popular"]>;
  topRated: Answer<TMDB["movies"]["topRated"]>;
  nowPlaying: Answer<TMDB["movies"]["nowPlaying"]>;
  upcoming: Answer<TMDB["movies"]["upcoming"]>;
  trending: Answer<typeof tmdb.trending.trending<"movie">>;
  details: Answer<typeof tmdb.movies.details<Appends>>;
  credits: Answer<TMDB["movies"]["credits"]>;
  videos: Answer<TMDB["movies"]["videos"]>;
  keywords: Answer<TMDB["movies"]["keywords"]>;
  externalIds: Answer<TMDB["movies"]["externalIds"]>;
  recommendations: Answer<TMDB["movies"]["recommendations"]>;
  similar: Answer<TMDB["movies"]["similar"]>;
  search: Answer<TMDB["search"]["movies"]>;
  discover: Answer<TMDB["discover"]["movie"]>;
  changes: Answer<TMDB["changes"]["movies"]>;
  find: Answer<TMDB["find"]["byExternalId"]>;
}
