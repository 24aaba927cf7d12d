/**
 * Reach analysis: which parts of an in-toto statement a CUE policy can constrain, read from the policy's syntax
 * tree (cue-wasm's `toAST`, Go's cue/ast nodes encoded as JSON without their type names, so nodes are told apart
 * by their fields).
 *
 * A policy made only of fields with plain labels, whose values contain no reference to another field (only
 * literals, operators, predeclared identifiers such as `string`, and imported packages), constrains each statement
 * path it names and nothing else: CUE structs are open, so a statement field the policy does not name unifies with
 * nothing and cannot fail, and it cannot change what a named field unifies to. Evaluating the policy against the
 * statement cut down to those paths therefore gives the outcome of evaluating it against the whole statement, at a
 * cost that follows the policy rather than the statement. Anything the analysis cannot bound (references, aliases,
 * let clauses, comprehensions, embeddings, pattern or dynamic labels, interpolations) makes it give up, and the
 * caller evaluates the whole statement.
 */

/** What a policy reaches below one statement path. */
export type Reach =
  /** The whole value at this path (a constraint the analysis does not look into). */
  | { kind: 'all' }
  /** These fields of a struct; the struct's other fields are unconstrained. */
  | { kind: 'fields'; fields: Map<string, Reach> }
  /** Every element of a list (`[...T]`), each reached as `element` says. */
  | { kind: 'each'; element: Reach };

const ALL: Reach = { kind: 'all' };

// CUE v0.4.3's predeclared identifiers: types, `_`, and the builtin functions.
const PREDECLARED = new Set([
  '_',
  'bool',
  'bytes',
  'float',
  'float32',
  'float64',
  'int',
  'int8',
  'int16',
  'int32',
  'int64',
  'int128',
  'uint',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'uint128',
  'number',
  'rune',
  'string',
  'null',
  'len',
  'close',
  'and',
  'or',
  'div',
  'mod',
  'quo',
  'rem',
]);

type Node = Record<string, unknown>;

/** Thrown inside the analysis when the policy uses something it cannot bound. */
class Unbounded extends Error {}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const has = (node: Node, ...keys: string[]): boolean => keys.every((key) => Object.hasOwn(node, key));
const isField = (node: Node): boolean => has(node, 'Label', 'Value', 'Token');
const isIdent = (node: Node): boolean => has(node, 'Name', 'NamePos') && typeof node.Name === 'string';
const isStruct = (node: Node): boolean => has(node, 'Elts', 'Lbrace');
const isList = (node: Node): boolean => has(node, 'Elts', 'Lbrack');
const isEllipsis = (node: Node): boolean => has(node, 'Ellipsis', 'Type');
const isString = (node: Node): boolean => has(node, 'Kind', 'Value', 'ValuePos') && typeof node.Value === 'string';

/** The statement field a label names, or undefined for hidden fields and definitions (not statement data). */
function labelName(label: unknown): string | undefined {
  if (!isNode(label)) throw new Unbounded();
  if (isIdent(label)) {
    const name = label.Name as string;
    return name.startsWith('_') || name.startsWith('#') ? undefined : name;
  }
  // A quoted label: a plain JSON-compatible string literal only (no multi-line strings, no interpolation).
  if (isString(label) && /^"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/.test(label.Value as string)) {
    return JSON.parse(label.Value as string) as string;
  }
  throw new Unbounded();
}

// The names of imported packages: the spec's explicit name, or the path's last element (before any `:qualifier`).
function importNames(file: Node): Set<string> {
  const names = new Set<string>();
  for (const spec of Array.isArray(file.Imports) ? file.Imports : []) {
    if (!isNode(spec)) throw new Unbounded();
    if (isNode(spec.Name) && isIdent(spec.Name)) names.add(spec.Name.Name as string);
    else if (isNode(spec.Path) && typeof spec.Path.Value === 'string') {
      const path = JSON.parse(spec.Path.Value) as string;
      names.add(path.split('/').at(-1)?.split(':')[0] ?? path);
    } else throw new Unbounded();
  }
  return names;
}

/**
 * Walks every expression and refuses any identifier that refers to a field: only predeclared identifiers and
 * imported packages (as `pkg.Name`) may appear. Field labels and selector names are not references. A label that
 * would shadow a predeclared name or a package makes every use of that name ambiguous, so it is refused too.
 */
function requireNoReferences(node: unknown, packages: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) requireNoReferences(item, packages);
    return;
  }
  if (!isNode(node)) return;
  // Package and import clauses name things; they refer to nothing.
  if (has(node, 'PackagePos') || has(node, 'Specs')) return;
  if (isField(node)) {
    const label = node.Label;
    if (isNode(label) && isIdent(label)) {
      const name = label.Name as string;
      if (PREDECLARED.has(name) || packages.has(name)) throw new Unbounded();
    } else labelName(label);
    requireNoReferences(node.Value, packages);
    return;
  }
  if (isIdent(node)) {
    if (!PREDECLARED.has(node.Name as string)) throw new Unbounded();
    return;
  }
  if (has(node, 'X', 'Sel')) {
    // `pkg.Name`: the package must be an import; anything else selects from a field.
    if (!isNode(node.X) || !isIdent(node.X) || !packages.has(node.X.Name as string)) throw new Unbounded();
    return;
  }
  // Comprehensions, let clauses and aliases bind names of their own; the analysis does not follow them.
  if (has(node, 'Clauses') || has(node, 'Let') || has(node, 'Equal')) throw new Unbounded();
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'Attrs') requireNoReferences(value, packages);
  }
}

function merge(a: Reach, b: Reach): Reach {
  if (a.kind === 'fields' && b.kind === 'fields') {
    const fields = new Map(a.fields);
    for (const [name, reach] of b.fields) {
      const existing = fields.get(name);
      fields.set(name, existing ? merge(existing, reach) : reach);
    }
    return { kind: 'fields', fields };
  }
  if (a.kind === 'each' && b.kind === 'each') return { kind: 'each', element: merge(a.element, b.element) };
  return ALL;
}

// Fields of a struct literal or file; any other declaration (embedding, comprehension, let) is unbounded.
function reachOfFields(declarations: unknown[]): Reach {
  let fields: Reach = { kind: 'fields', fields: new Map() };
  for (const declaration of declarations) {
    if (!isNode(declaration)) throw new Unbounded();
    if (has(declaration, 'PackagePos') || has(declaration, 'Specs')) continue;
    if (isEllipsis(declaration)) return ALL;
    if (!isField(declaration)) throw new Unbounded();
    const name = labelName(declaration.Label);
    if (name === undefined) continue;
    fields = merge(fields, { kind: 'fields', fields: new Map([[name, reachOfValue(declaration.Value)]]) });
  }
  return fields;
}

function reachOfValue(value: unknown): Reach {
  if (!isNode(value)) throw new Unbounded();
  if (isStruct(value) && Array.isArray(value.Elts)) return reachOfFields(value.Elts);
  if (isList(value) && Array.isArray(value.Elts) && value.Elts.length === 1) {
    const [only] = value.Elts as unknown[];
    if (isNode(only) && isEllipsis(only) && only.Type !== null) {
      return { kind: 'each', element: reachOfValue(only.Type) };
    }
  }
  return ALL;
}

/**
 * What the policy whose syntax tree is `ast` reaches of a statement, or undefined when the analysis cannot bound
 * it (then the whole statement must be evaluated).
 */
export function analyzeReach(ast: unknown): Reach | undefined {
  try {
    if (!isNode(ast) || !Array.isArray(ast.Decls)) return undefined;
    const packages = importNames(ast);
    requireNoReferences(ast.Decls, packages);
    return reachOfFields(ast.Decls);
  } catch (error) {
    if (error instanceof Unbounded) return undefined;
    throw error;
  }
}

/**
 * The parts of `value` that `reach` covers: a struct keeps only the reached fields (in the statement's order), a
 * list keeps every element cut down to what each reaches. A value of another shape than the policy expects is
 * kept whole, so the conflict CUE reports is the same.
 */
export function sliceStatement(value: unknown, reach: Reach): unknown {
  if (reach.kind === 'all') return value;
  if (reach.kind === 'each') {
    return Array.isArray(value) ? value.map((element: unknown) => sliceStatement(element, reach.element)) : value;
  }
  if (!isNode(value)) return value;
  const slice: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childReach = reach.fields.get(key);
    if (childReach) slice[key] = sliceStatement(child, childReach);
  }
  return slice;
}

/**
 * Removes from a sliced statement the value a violation at `labels` was found in, down to where the reach is
 * `all` (below that the analysis does not know which constraint applies). Returns false when nothing can be
 * removed without changing other constraints' inputs (a whole list element, whose removal would renumber the rest).
 */
export function removeViolation(slice: unknown, reach: Reach, labels: readonly string[]): boolean {
  let node = slice;
  let current = reach;
  for (const [index, label] of labels.entries()) {
    const last = index === labels.length - 1;
    if (current.kind === 'fields' && isNode(node) && Object.hasOwn(node, label)) {
      const next = current.fields.get(label);
      if (!next) return false;
      if (last || next.kind === 'all') return delete node[label];
      node = node[label];
      current = next;
    } else if (current.kind === 'each' && Array.isArray(node) && /^\d+$/.test(label) && Number(label) < node.length) {
      if (last || current.element.kind === 'all') return false;
      node = node[Number(label)] as unknown;
      current = current.element;
    } else return false;
  }
  return false;
}
