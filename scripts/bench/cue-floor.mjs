// The CUE floor of `npm run bench`: what any CUE evaluation costs in a fresh process with cue-wasm as published —
// its own init() and one trivial parse.
import { init } from 'cue-wasm';

const cue = await init();
cue.parse('a: 1');
