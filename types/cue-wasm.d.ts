// cue-wasm ships no type declarations; this is the part of its API we use.
declare module 'cue-wasm' {
  export interface CueApi {
    /** Compiles CUE source and returns the evaluated value as JSON data; throws a plain string on error. */
    parse(source: string): unknown;
    toJSON(source: string): string;
  }
  export function init(): Promise<CueApi>;
}
