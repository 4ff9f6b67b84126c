/**
 * Compiles an expression AST to a closure once, at rule load (the matcher never walks an AST per
 * event), checking what can be known before running: aliases (unknown, used before bound, a `not`
 * element, a single event used as a list), functions (unknown, arity), and static types.
 *
 * Name resolution (DSL.md section 4):
 * - in a condition, a bare name is a field of the event under test (`event.data.name`), except in
 *   an alias position (before `.` or `[`, or as the argument of `count sum avg min max first last
 *   time`) where a name that is an alias of the rule stands for that alias: its event (`shape`
 *   `event`) or, for a loop or an element inside a looping group, its events (`events`). So a field
 *   that happens to share its name with a type of the pattern still reads as a field (`v > 1`);
 * - in `emit` there is no event under test: every bare name is an alias;
 * - a name in backticks or quotes is always a field;
 * - `x.f` on an event reads `x.data.f`; on a list of events, the list of `f` of each event;
 * - inside a loop's own condition or `until`, its alias stands for the events taken so far
 *   (Flink `IterativeCondition`, via `Bindings.events`).
 */
import type { ExprNode, Loc } from '../ast.js';
import { didYouMean } from '../suggest.js';
import { FUNCTIONS } from './functions.js';
import type { Compiled, Evaluator, StaticType } from './types.js';
import { arithmetic, compare, equals, isIn, isNotIn, readField, readIndex } from './values.js';

/** An alias as expressions see it. `start`/`end` order elements: a can be read by b iff a.end ≤ b.start. */
export interface AliasInfo {
  readonly name: string;
  /** Binds several events (a loop, a group, or inside a looping group). */
  readonly list: boolean;
  readonly negated: boolean;
  readonly start: number;
  readonly end: number;
  readonly loc: Loc;
}

/** Where an expression is compiled and how to report problems. */
export interface ExprContext {
  /** Aliases that expressions may name (explicit aliases and unique type names). */
  readonly aliases: ReadonlyMap<string, AliasInfo>;
  /** The element whose condition (or `until`) this is; undefined in `emit`. */
  readonly element?: { readonly start: number; readonly alias?: AliasInfo };
  /** Aliases read so far (filled in by the compiler; becomes `Condition.reads`). */
  readonly reads: Set<string>;
  report(message: string, loc: Loc): void;
}

const failed: Compiled = { run: () => null, shape: 'value', type: 'unknown' };

/** Converts events to their `.data` (lists likewise), for list literals and emit output. */
export function asData(compiled: Compiled): Evaluator {
  const run = compiled.run;
  if (compiled.shape === 'event') return (e, b) => (run(e, b) as { data?: unknown } | null)?.data ?? null;
  if (compiled.shape === 'events') return (e, b) => (run(e, b) as { data: unknown }[]).map((x) => x.data);
  return run;
}

function literalType(value: unknown): StaticType {
  if (value === null) return 'null';
  return typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'string';
}

/** The alias a name refers to, after the checks of section 4, or undefined (a field). */
function resolveAlias(name: string, loc: Loc, ctx: ExprContext): AliasInfo | undefined {
  const alias = ctx.aliases.get(name);
  if (alias === undefined) return undefined;
  if (alias.negated) {
    ctx.report(`'${name}' is a 'not' element: it never binds an event, so it cannot be read`, loc);
    return undefined;
  }
  const own = ctx.element?.alias === alias;
  if (ctx.element !== undefined && !own && alias.end > ctx.element.start) {
    ctx.report(`alias '${name}' is used before it is bound: a condition may read only elements before it (or its own loop alias)`, loc);
    return undefined;
  }
  if (own && !alias.list) {
    ctx.report(`'${name}' is this element's own alias; only a loop may read its own events in its condition`, loc);
    return undefined;
  }
  ctx.reads.add(name);
  return alias;
}

/** Functions whose argument is in an alias position. */
const ALIAS_ARGUMENT = new Set(['count', 'sum', 'avg', 'min', 'max', 'first', 'last', 'time']);

function compileName(node: Extract<ExprNode, { kind: 'Ident' }>, ctx: ExprContext, aliasPosition: boolean): Compiled {
  const { value: name, quoted, loc } = node.name;
  if (!quoted && ctx.aliases.has(name) && (aliasPosition || ctx.element === undefined)) {
    const alias = resolveAlias(name, loc, ctx);
    if (alias === undefined) return failed;
    if (alias.list) return { run: (_e, b) => b.events(name), shape: 'events', type: 'list' };
    return { run: (_e, b) => b.events(name)[0] ?? null, shape: 'event', type: 'unknown' };
  }
  if (ctx.element === undefined) {
    ctx.report(`unknown alias '${name}': emit expressions read matched events by alias${didYouMean(name, ctx.aliases.keys())}`, loc);
    return failed;
  }
  return { run: (e) => readField(e?.data, name), shape: 'value', type: 'unknown' };
}

function compileCall(node: Extract<ExprNode, { kind: 'Call' }>, ctx: ExprContext): Compiled {
  const name = node.callee.value;
  const spec = FUNCTIONS.get(name);
  const args = node.args.map((a) => compileExpr(a, ctx, ALIAS_ARGUMENT.has(name)));
  if (spec === undefined) {
    ctx.report(`unknown function '${name}'${didYouMean(name, FUNCTIONS.keys())}`, node.callee.loc);
    return failed;
  }
  if (args.length < spec.min || args.length > spec.max) {
    const wanted = spec.min === spec.max ? `${spec.min}` : `${spec.min} or ${spec.max}`;
    ctx.report(`${name}() takes ${wanted} argument${spec.max === 1 ? '' : 's'} (${spec.usage}), not ${args.length}`, node.loc);
    return failed;
  }
  if (spec.needsList && args[0].shape === 'event') {
    ctx.report(`${name}() needs a list, but this is a single event; use a loop alias (a+, a{2,}) such as ${spec.usage}`, node.args[0].loc);
    return failed;
  }
  if (spec.needsList && args[0].shape === 'value' && fromSingleAlias(node.args[0], ctx)) {
    ctx.report(`${name}() needs a list, but this reads a single event's field; use a loop alias, as in ${spec.usage}`, node.args[0].loc);
    return failed;
  }
  if (name === 'exists' && !['Ident', 'Member', 'Index'].includes(node.args[0].kind)) {
    ctx.report('exists() takes a field path such as exists(payload.card) or exists(a.f)', node.args[0].loc);
  }
  const literals = node.args.map((a) => (a.kind === 'Literal' ? a.value : undefined));
  return spec.compile({ args, argLocs: node.args.map((a) => a.loc), literals, report: (m, l) => ctx.report(m, l) });
}

/** True when `node` is a field path rooted at a single-event alias (`x.f` with x not a loop). */
function fromSingleAlias(node: ExprNode, ctx: ExprContext): boolean {
  let root = node;
  while (root.kind === 'Member') root = root.object;
  if (root === node || root.kind !== 'Ident' || root.name.quoted) return false;
  const alias = ctx.aliases.get(root.name.value);
  return alias !== undefined && !alias.list;
}

/**
 * Compiles one expression; problems go to `ctx.report` and yield an expression that gives null.
 * `aliasPosition`: the node is the object of `.`/`[]` or an aggregate's argument (see above).
 */
export function compileExpr(node: ExprNode, ctx: ExprContext, aliasPosition = false): Compiled {
  switch (node.kind) {
    case 'Literal': {
      const v = node.value;
      return { run: () => v, shape: 'value', type: literalType(v) };
    }
    case 'List': {
      const items = node.items.map((i) => asData(compileExpr(i, ctx)));
      return { run: (e, b) => items.map((f) => f(e, b)), shape: 'value', type: 'list' };
    }
    case 'Ident':
      return compileName(node, ctx, aliasPosition);
    case 'Member': {
      const object = compileExpr(node.object, ctx, true);
      const key = node.property.value;
      const o = object.run;
      if (object.shape === 'event') return { run: (e, b) => readField((o(e, b) as { data?: unknown } | null)?.data, key), shape: 'value', type: 'unknown' };
      if (object.shape === 'events') {
        return { run: (e, b) => (o(e, b) as { data: unknown }[]).map((x) => readField(x.data, key)), shape: 'value', type: 'list' };
      }
      return { run: (e, b) => readField(o(e, b), key), shape: 'value', type: 'unknown' };
    }
    case 'Index': {
      const object = compileExpr(node.object, ctx, true);
      const index = compileExpr(node.index, ctx).run;
      const o = object.run;
      if (object.shape === 'event') {
        ctx.report('an index needs a list, but this is a single event; only a loop alias can be indexed, as in a[0] or a[-1]', node.loc);
        return failed;
      }
      if (object.shape === 'events') return { run: (e, b) => readIndex(o(e, b), index(e, b)), shape: 'event', type: 'unknown' };
      return { run: (e, b) => readIndex(o(e, b), index(e, b)), shape: 'value', type: 'unknown' };
    }
    case 'Call':
      return compileCall(node, ctx);
    case 'Unary': {
      const operand = compileExpr(node.operand, ctx);
      const a = operand.run;
      if (node.op === 'not') {
        expectBoolean(operand.type, node.operand.loc, "'not'", ctx);
        return { run: (e, b) => a(e, b) === false, shape: 'value', type: 'boolean' };
      }
      return { run: (e, b) => arithmetic('-', 0, a(e, b)), shape: 'value', type: 'number' };
    }
    case 'Binary':
      return compileBinary(node, ctx);
  }
}

function expectBoolean(type: StaticType, loc: Loc, where: string, ctx: ExprContext): void {
  if (type !== 'boolean' && type !== 'unknown') ctx.report(`${where} needs a boolean, but this is ${article(type)}`, loc);
}

/** "a number", "a list", "null". */
export function article(type: StaticType): string {
  return type === 'null' ? 'null' : `a ${type}`;
}

function compileBinary(node: Extract<ExprNode, { kind: 'Binary' }>, ctx: ExprContext): Compiled {
  const left = compileExpr(node.left, ctx);
  const right = compileExpr(node.right, ctx);
  const [l, r] = [asData(left), asData(right)];
  const op = node.op;
  switch (op) {
    case 'and':
    case 'or':
      expectBoolean(left.type, node.left.loc, `'${op}'`, ctx);
      expectBoolean(right.type, node.right.loc, `'${op}'`, ctx);
      return op === 'and'
        ? { run: (e, b) => l(e, b) === true && r(e, b) === true, shape: 'value', type: 'boolean' }
        : { run: (e, b) => l(e, b) === true || r(e, b) === true, shape: 'value', type: 'boolean' };
    case '==':
      return { run: (e, b) => equals(l(e, b), r(e, b)), shape: 'value', type: 'boolean' };
    case '!=':
      return { run: (e, b) => !equals(l(e, b), r(e, b)), shape: 'value', type: 'boolean' };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return { run: (e, b) => compare(op, l(e, b), r(e, b)), shape: 'value', type: 'boolean' };
    case 'in':
      return { run: (e, b) => isIn(l(e, b), r(e, b)), shape: 'value', type: 'boolean' };
    case 'not in':
      return { run: (e, b) => isNotIn(l(e, b), r(e, b)), shape: 'value', type: 'boolean' };
    default: {
      const type: StaticType = op === '+' && (left.type === 'string' || right.type === 'string') ? 'unknown' : 'number';
      return { run: (e, b) => arithmetic(op, l(e, b), r(e, b)), shape: 'value', type };
    }
  }
}
