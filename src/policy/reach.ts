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
 * Walks every expression and refuses any identifier that refers to a field: only predeclared identifiers, constant
 * top-level `let`s and imported packages (as `pkg.Name`) may appear. Field labels and selector names are not
 * references. A label that would shadow one of those names makes every use of it ambiguous, so it is refused too.
 * The one exception is the element type of a list, `[...{…}]`, whose references stay inside the element
 * ({@link requireSelfContained}).
 */
function requireNoReferences(node: unknown, names: Names): void {
  if (Array.isArray(node)) {
    for (const item of node) requireNoReferences(item, names);
    return;
  }
  if (!isNode(node)) return;
  // Package and import clauses name things; they refer to nothing. Top-level lets were checked on their own.
  if (has(node, 'PackagePos') || has(node, 'Specs') || names.constantLets.has(node)) {
    return;
  }
  if (isField(node)) {
    requireUsableLabel(node.Label, names);
    requireNoReferences(node.Value, names);
    return;
  }
  if (isIdent(node)) {
    const name = node.Name as string;
    if (!PREDECLARED.has(name) && !names.constants.has(name)) throw new Unbounded();
    return;
  }
  if (has(node, 'X', 'Sel')) {
    // `pkg.Name`: the package must be an import; anything else selects from a field.
    if (isNode(node.X) && isIdent(node.X) && names.packages.has(node.X.Name as string)) return;
    if (isNode(node.X) && isIdent(node.X)) throw new Unbounded();
    requireNoReferences(node.X, names);
    return;
  }
  const element = listElement(node);
  if (element && isStruct(element) && !isReferenceFree(element, names)) {
    requireSelfContained(element, [], names);
    return;
  }
  // Comprehensions, let clauses and aliases bind names of their own; the analysis does not follow them.
  if (has(node, 'Clauses') || has(node, 'Let') || has(node, 'Equal')) throw new Unbounded();
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'Attrs') requireNoReferences(value, names);
  }
}

function isReferenceFree(node: unknown, names: Names): boolean {
  try {
    requireNoReferences(node, names);
    return true;
  } catch (error) {
    if (error instanceof Unbounded) return false;
    throw error;
  }
}

/** Names usable anywhere: imported packages and top-level `let`s bound to constants (and those lets' nodes). */
interface Names {
  packages: Set<string>;
  constants: Set<string>;
  constantLets: Set<Node>;
}

const letName = (node: Node): string => (isNode(node.Ident) && isIdent(node.Ident) ? (node.Ident.Name as string) : '');

// A label must be plain, and must not shadow a name the analysis resolves by name alone.
function requireUsableLabel(label: unknown, names: Names): void {
  if (isNode(label) && isIdent(label)) {
    const name = label.Name as string;
    if (PREDECLARED.has(name) || names.packages.has(name) || names.constants.has(name)) throw new Unbounded();
  } else labelName(label);
}

// The element type T of `[...T]`, or undefined for any other list.
function listElement(node: Node): Node | undefined {
  if (!isList(node) || !Array.isArray(node.Elts) || node.Elts.length !== 1) return undefined;
  const [only] = node.Elts as unknown[];
  return isNode(only) && isEllipsis(only) && isNode(only.Type) ? only.Type : undefined;
}

// The labels a struct literal declares: its fields, and those of its `if` comprehensions' bodies (which merge into
// it). Any other element (embedding, `for`, let) is unbounded.
function declaredLabels(struct: Node): string[] {
  const labels: string[] = [];
  for (const element of Array.isArray(struct.Elts) ? (struct.Elts as unknown[]) : []) {
    if (!isNode(element)) throw new Unbounded();
    if (isField(element)) {
      const label = element.Label;
      labels.push(isNode(label) && isIdent(label) ? (label.Name as string) : (labelName(label) ?? ''));
    } else if (has(element, 'Clauses') && isNode(element.Value) && isStruct(element.Value)) {
      labels.push(...declaredLabels(element.Value));
    } else if (!isEllipsis(element)) throw new Unbounded();
  }
  return labels;
}

/**
 * A list element type whose references all resolve inside the element: to its own fields (a field's value may
 * depend on its siblings, as in `name: name` or `if list.Contains(names, name) {…}`), to constant lets, packages or
 * predeclared identifiers. Such an element reads only the fields it declares, because CUE resolves identifiers
 * lexically; only `if` comprehensions are followed.
 */
function requireSelfContained(node: unknown, scopes: Set<string>[], names: Names): void {
  if (Array.isArray(node)) {
    for (const item of node) requireSelfContained(item, scopes, names);
    return;
  }
  if (!isNode(node)) return;
  if (isStruct(node)) {
    const inner = [...scopes, new Set(declaredLabels(node))];
    for (const element of node.Elts as unknown[]) requireSelfContained(element, inner, names);
    return;
  }
  if (isField(node)) {
    requireUsableLabel(node.Label, names);
    requireSelfContained(node.Value, scopes, names);
    return;
  }
  if (has(node, 'Clauses')) {
    for (const clause of Array.isArray(node.Clauses) ? (node.Clauses as unknown[]) : []) {
      if (!isNode(clause) || !has(clause, 'If', 'Condition')) throw new Unbounded();
      requireSelfContained(clause.Condition, scopes, names);
    }
    requireSelfContained(node.Value, scopes, names);
    return;
  }
  const local = (name: string): boolean => scopes.some((scope) => scope.has(name));
  if (isIdent(node)) {
    const name = node.Name as string;
    if (!local(name) && !PREDECLARED.has(name) && !names.constants.has(name)) throw new Unbounded();
    return;
  }
  if (has(node, 'X', 'Sel')) {
    if (isNode(node.X) && isIdent(node.X)) {
      const name = node.X.Name as string;
      if (!local(name) && !names.packages.has(name)) throw new Unbounded();
      return;
    }
    requireSelfContained(node.X, scopes, names);
    return;
  }
  if (has(node, 'Let') || has(node, 'Equal')) throw new Unbounded();
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'Attrs') requireSelfContained(value, scopes, names);
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
function reachOfFields(declarations: unknown[], names: Names): Reach {
  let fields: Reach = { kind: 'fields', fields: new Map() };
  for (const declaration of declarations) {
    if (!isNode(declaration)) throw new Unbounded();
    if (has(declaration, 'PackagePos') || has(declaration, 'Specs')) continue;
    if (names.constantLets.has(declaration)) continue;
    if (isEllipsis(declaration)) return ALL;
    if (!isField(declaration)) throw new Unbounded();
    const name = labelName(declaration.Label);
    if (name === undefined) continue;
    fields = merge(fields, { kind: 'fields', fields: new Map([[name, reachOfValue(declaration.Value, names)]]) });
  }
  return fields;
}

function reachOfValue(value: unknown, names: Names): Reach {
  if (!isNode(value)) throw new Unbounded();
  if (isStruct(value) && Array.isArray(value.Elts)) return reachOfFields(value.Elts, names);
  const element = listElement(value);
  if (element === undefined) return ALL;
  if (!isStruct(element) || isReferenceFree(element, names))
    return { kind: 'each', element: reachOfValue(element, names) };
  // A self-contained element (requireSelfContained) reads the fields it declares, each whole.
  const fields = new Map<string, Reach>();
  for (const label of declaredLabels(element))
    if (!label.startsWith('_') && !label.startsWith('#')) fields.set(label, ALL);
  return { kind: 'each', element: { kind: 'fields', fields } };
}

/**
 * What the policy whose syntax tree is `ast` reaches of a statement, or undefined when the analysis cannot bound
 * it (then the whole statement must be evaluated).
 */
export function analyzeReach(ast: unknown): Reach | undefined {
  try {
    if (!isNode(ast) || !Array.isArray(ast.Decls)) return undefined;
    const names: Names = { packages: importNames(ast), constants: new Set(), constantLets: new Set() };
    // Top-level lets bound to constants (a list of names, say) may be used anywhere.
    for (const declaration of ast.Decls as unknown[]) {
      if (isNode(declaration) && has(declaration, 'Let', 'Expr')) {
        requireNoReferences(declaration.Expr, names);
        names.constants.add(letName(declaration));
        names.constantLets.add(declaration);
      }
    }
    requireNoReferences(ast.Decls, names);
    return reachOfFields(ast.Decls, names);
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
 * `all` (below that the analysis does not know which constraint applies). Returns the labels of the value removed,
 * or undefined when nothing can be removed without changing other constraints' inputs (a whole list element,
 * whose removal would renumber the rest).
 */
export function removeViolation(slice: unknown, reach: Reach, labels: readonly string[]): string[] | undefined {
  let node = slice;
  let current = reach;
  for (const [index, label] of labels.entries()) {
    const last = index === labels.length - 1;
    if (current.kind === 'fields' && isNode(node) && Object.hasOwn(node, label)) {
      const next = current.fields.get(label);
      if (!next) return undefined;
      if (last || next.kind === 'all') {
        delete node[label];
        return labels.slice(0, index + 1);
      }
      node = node[label];
      current = next;
    } else if (current.kind === 'each' && Array.isArray(node) && /^\d+$/.test(label) && Number(label) < node.length) {
      if (last || current.element.kind === 'all') return undefined;
      node = node[Number(label)] as unknown;
      current = current.element;
    } else return undefined;
  }
  return undefined;
}
