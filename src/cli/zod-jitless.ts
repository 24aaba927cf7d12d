// Imported first by the CLI, before any schema is built: zod then validates by walking each schema instead of
// generating and compiling a function per object schema (its JIT), which only pays off when a schema parses many
// values. A cold run parses each schema a few times, so compiling costs more than it saves.
import '../model/zod-locale.js';
import { config } from 'zod/mini';

config({ jitless: true });
