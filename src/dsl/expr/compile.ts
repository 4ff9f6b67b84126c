/**
 * Compiles an expression AST to a closure once, at rule load (the matcher never walks an AST per
 * event), checking what can be known before running: aliases (unknown, used before bound, a `not`
 * element, a single event used as a list), functions (unknown, arity), and static types.
 *
 * Name resolution (DSL.md section 4):
 * - in a condition, a bare name is a field of the event under test (`event.data.name`), except in
 *   an alias position (before `.` or `[`, or as the argument of a function whose spec says
 *   `aliasArgument`: `count sum avg min max first last time`) where a name that is an alias of the
 *   rule stands for that alias: its event (`shape` `event`) or, for a loop or an element inside a looping
 *   group, its events (`events`). So a field that happens to share its name with a type of the
 *   pattern still reads as a field (`v > 1`);
 * - in `emit` there is no event under test: every bare name is an alias;
 * - a name in backticks or quotes is always a field;
 * - `x.f` on an event reads `x.data.f`; on a list of events, the list of `f` of each event;
 * - inside a loop's own condition or `until`, its alias stands for the events taken so far
 *   (Flink `IterativeCondition`, via `Bindings.events`).
 *
 * Depth: the compiler and the closures it builds recurse once per level of nesting, which
 * limits.ts bounds (brackets, `not`/`-` chains). Flat chains are compiled with loops instead, so that
 * their length does not matter: `x or y or z ...` and `a + b - c ...` (left-deep trees of operators
 * of one precedence) into one closure over their operands, `a.b[0].c ...` into one closure over its steps.
 */
import type { BinaryNode, BinaryOp, ExprNode, IndexNode, Loc, MemberNode } from '../ast.js';
import { shorten } from '../errors.js';
import { didYouMean, editDistance } from '../suggest.js';
import type { RuleUsage } from '../usage.js';
import { FUNCTIONS, type FunctionSpec } from './functions.js';
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
  /** The element's event type; null for `any` and groups. */
  readonly type: string | null;
  /** For a group: the names of its event elements (nested groups included), whose events its alias stands for. */
  readonly members?: readonly string[];
}

/** Where an expression is compiled and how to report problems. */
export interface ExprContext {
  /** Aliases that expressions may name (explicit aliases and unique type names). */
  readonly aliases: ReadonlyMap<string, AliasInfo>;
  /** The element whose condition (or `until`) this is (its event type null for `any`); undefined in `emit`. */
  readonly element?: { readonly start: number; readonly alias?: AliasInfo; readonly type: string | null };
  /** Aliases read so far (filled in by the compiler; becomes `Condition.reads`). */
  readonly reads: Set<string>;
  /** Where the field paths read are recorded, and text-only warnings go (usage.ts); none: not recorded. */
  readonly usage?: RuleUsage;
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
    ctx.report(`'${shorten(name)}' is a 'not' element: it never binds an event, so it cannot be read`, loc);
    return undefined;
  }
  const own = ctx.element?.alias === alias;
  if (ctx.element !== undefined && !own && alias.end > ctx.element.start) {
    ctx.report(`alias '${shorten(name)}' is used before it is bound: a condition may read only elements before it (or its own loop alias)`, loc);
    return undefined;
  }
  if (own && !alias.list) {
    ctx.report(`'${shorten(name)}' is this element's own alias; only a loop may read its own events in its condition`, loc);
    return undefined;
  }
  ctx.reads.add(name);
  return alias;
}

function compileName(node: Extract<ExprNode, { kind: 'Ident' }>, ctx: ExprContext, aliasPosition: boolean): Compiled {
  const { value: name, quoted, loc } = node.name;
  if (!quoted && ctx.aliases.has(name) && (aliasPosition || ctx.element === undefined)) {
    const alias = resolveAlias(name, loc, ctx);
    if (alias === undefined) return failed;
    const members = alias.members;
    if (members !== undefined) {
      // A group's alias: the events its elements took, in event order (ties in pattern order).
      for (const member of members) ctx.reads.add(member);
      return { run: (_e, b) => members.flatMap((m) => b.events(m)).sort((p, q) => p.time - q.time), shape: 'events', type: 'list' };
    }
    if (alias.list) return { run: (_e, b) => b.events(name), shape: 'events', type: 'list' };
    return { run: (_e, b) => b.events(name)[0] ?? null, shape: 'event', type: 'unknown' };
  }
  if (ctx.element === undefined) {
    ctx.report(`unknown alias '${shorten(name)}': emit expressions read matched events by alias${didYouMean(name, ctx.aliases.keys())}`, loc);
    return failed;
  }
  if (!aliasPosition) ctx.usage?.field(name, [name], ctx.element.type, loc);
  return { run: (e) => readField(e?.data, name), shape: 'value', type: 'unknown' };
}

/** A call, as its {@link FunctionSpec} says: arity, alias position, a list argument, then the spec's own checks. */
function compileCall(node: Extract<ExprNode, { kind: 'Call' }>, ctx: ExprContext): Compiled {
  const name = node.callee.value;
  const spec = FUNCTIONS.get(name);
  const args = node.args.map((a) => compileExpr(a, ctx, spec?.aliasArgument === true));
  if (spec === undefined) {
    ctx.report(`unknown function '${shorten(name)}'${didYouMean(name, FUNCTIONS.keys())}`, node.callee.loc);
    return failed;
  }
  if (args.length < spec.min || args.length > spec.max) {
    const wanted = spec.min === spec.max ? `${spec.min}` : spec.max === spec.min + 1 ? `${spec.min} or ${spec.max}` : `${spec.min} to ${spec.max}`;
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
  return spec.compile({
    args,
    argLocs: node.args.map((a) => a.loc),
    literals: node.args.map((a) => (a.kind === 'Literal' ? a.value : undefined)),
    paths: node.args.map((a) => a.kind === 'Ident' || a.kind === 'Member' || a.kind === 'Index'),
    loc: node.loc,
    inCondition: ctx.element !== undefined,
    report: (m, l) => ctx.report(m, l),
  });
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
    case 'Member':
    case 'Index':
      return compileAccess(node, ctx);
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

/** One `.f` or `[i]` applied to the value its object gave. */
type Step = (value: unknown, ...context: Parameters<Evaluator>) => unknown;

/** What a step does to the value it is applied to, by the object's shape; undefined: an error was reported. */
function stepOf(node: MemberNode | IndexNode, shape: Compiled['shape'], ctx: ExprContext): { step: Step; shape: Compiled['shape']; type: StaticType } | undefined {
  if (node.kind === 'Member') {
    const key = node.property.value;
    if (shape === 'event') return { step: (v) => readField((v as { data?: unknown } | null)?.data, key), shape: 'value', type: 'unknown' };
    if (shape === 'events') return { step: (v) => (v as { data: unknown }[]).map((x) => readField(x.data, key)), shape: 'value', type: 'list' };
    return { step: (v) => readField(v, key), shape: 'value', type: 'unknown' };
  }
  const index = compileExpr(node.index, ctx).run;
  if (shape === 'event') {
    ctx.report('an index needs a list, but this is a single event; only a loop alias can be indexed, as in a[0] or a[-1]', node.loc);
    return undefined;
  }
  return { step: (v, e, b) => readIndex(v, index(e, b)), shape: shape === 'events' ? 'event' : 'value', type: 'unknown' };
}

/**
 * A chain of `.f` and `[i]` (`a.b[0].c`, a left-deep tree) walked with a loop: its root is compiled
 * in alias position, then each step by the shape the one before gives.
 */
function compileAccess(node: MemberNode | IndexNode, ctx: ExprContext): Compiled {
  const chain: (MemberNode | IndexNode)[] = [];
  let rootNode: ExprNode = node;
  for (; rootNode.kind === 'Member' || rootNode.kind === 'Index'; rootNode = rootNode.object) chain.push(rootNode);
  const root = compileExpr(rootNode, ctx, true);
  let { shape, type } = root;
  let ok = true;
  const steps: Step[] = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    // After an error the rest is still compiled, for the errors in its index expressions.
    const next = stepOf(chain[i], ok ? shape : 'value', ctx);
    if (next === undefined) ok = false;
    else if (ok) {
      steps.push(next.step);
      ({ shape, type } = next);
    }
  }
  if (!ok) return failed;
  warnAliasTypo(rootNode, chain, root, ctx);
  recordPath(rootNode, chain, root, ctx);
  const o = root.run;
  if (steps.length === 1) {
    const step = steps[0];
    return { run: (e, b) => step(o(e, b), e, b), shape, type };
  }
  const run: Evaluator = (e, b) => {
    let value = o(e, b);
    for (const step of steps) value = step(value, e, b);
    return value;
  };
  return { run, shape, type };
}

/**
 * Records in `ctx.usage` a chain of names only (`payload.amount`, `o.amount`) rooted at a field of
 * the event under test or at a single alias, with the event type it is read from (usage.ts). Other
 * chains (indexes, loop aliases) are not recorded.
 */
function recordPath(rootNode: ExprNode, chain: readonly (MemberNode | IndexNode)[], root: Compiled, ctx: ExprContext): void {
  if (ctx.usage === undefined || rootNode.kind !== 'Ident' || chain.some((c) => c.kind !== 'Member') || root.shape === 'events') return;
  const names = [...chain].reverse().map((c) => (c as MemberNode).property.value);
  const rootName = rootNode.name.value;
  const text = [rootName, ...names].join('.');
  if (root.shape === 'event') ctx.usage.field(text, names, ctx.aliases.get(rootName)?.type ?? null, rootNode.loc);
  else if (ctx.element !== undefined) ctx.usage.field(text, [rootName, ...names], ctx.element.type, rootNode.loc);
}

/**
 * DSL.md section 4: a dotted path in a condition whose first name is not an alias reads the event
 * under test; when that name is one or two edits from an alias, `cep check` warns.
 */
function warnAliasTypo(rootNode: ExprNode, chain: readonly (MemberNode | IndexNode)[], root: Compiled, ctx: ExprContext): void {
  if (ctx.usage === undefined || ctx.element === undefined || rootNode.kind !== 'Ident' || rootNode.name.quoted || root.shape !== 'value') return;
  if (chain[chain.length - 1].kind !== 'Member') return;
  const name = rootNode.name.value;
  let best: string | undefined;
  let bestDistance = 3;
  for (const alias of ctx.aliases.keys()) {
    const distance = editDistance(name, alias, 2);
    if (distance < bestDistance) [best, bestDistance] = [alias, distance];
  }
  if (best === undefined) return;
  const first = chain[chain.length - 1] as MemberNode;
  ctx.usage.warn(`'${shorten(name)}' is not an alias, so ${shorten(name)}.${shorten(first.property.value)} reads a field of the event under test; did you mean alias ${best}?`, rootNode.loc);
}

function expectBoolean(type: StaticType, loc: Loc, where: string, ctx: ExprContext): void {
  if (type !== 'boolean' && type !== 'unknown') ctx.report(`${where} needs a boolean, but this is ${article(type)}`, loc);
}

/** "a number", "a list", "null". */
export function article(type: StaticType): string {
  return type === 'null' ? 'null' : `a ${type}`;
}

/** Operators that chain (left-associative, one precedence level each); comparisons do not chain. */
const CHAINS: Partial<Record<BinaryOp, string>> = { or: 'or', and: 'and', '+': 'sum', '-': 'sum', '*': 'product', '/': 'product', '%': 'product' };

/** `x op1 y op2 z ...` (a left-deep tree of one precedence level) as its operands and operators, left to right. */
function chainOf(node: BinaryNode): { operands: ExprNode[]; ops: BinaryOp[] } {
  const level = CHAINS[node.op];
  const operands: ExprNode[] = [];
  const ops: BinaryOp[] = [];
  let left: ExprNode = node;
  for (; left.kind === 'Binary' && CHAINS[left.op] === level; left = left.left) {
    operands.push(left.right);
    ops.push(left.op);
  }
  operands.push(left);
  return { operands: operands.reverse(), ops: ops.reverse() };
}

/** A chain of `and`, `or`, `+ -` or `* / %` of three or more operands, as one closure with a loop. */
function compileChain(node: BinaryNode, ctx: ExprContext): Compiled {
  const { operands, ops } = chainOf(node);
  const compiled = operands.map((o) => compileExpr(o, ctx));
  const runs = compiled.map(asData);
  if (node.op === 'and' || node.op === 'or') {
    compiled.forEach((c, i) => expectBoolean(c.type, operands[i].loc, `'${node.op}'`, ctx));
    // `and` stops at the first operand that is not true, `or` at the first that is, left to right.
    const stopAt = node.op === 'or';
    const run: Evaluator = (e, b) => {
      for (const f of runs) if ((f(e, b) === true) === stopAt) return stopAt;
      return !stopAt;
    };
    return { run, shape: 'value', type: 'boolean' };
  }
  let type = compiled[0].type;
  for (let i = 0; i < ops.length; i++) type = ops[i] === '+' && (type === 'string' || compiled[i + 1].type === 'string') ? 'unknown' : 'number';
  const arithmeticOps = ops as ('+' | '-' | '*' | '/' | '%')[];
  const mismatch = ctx.usage?.arithmetic(node.loc);
  const run: Evaluator = (e, b) => {
    let value: unknown = runs[0](e, b);
    for (let i = 0; i < arithmeticOps.length; i++) {
      const operand = runs[i + 1](e, b);
      const result = arithmetic(arithmeticOps[i], value, operand);
      if (result === null) mismatch?.check(arithmeticOps[i], value, operand);
      value = result;
    }
    return value;
  };
  return { run, shape: 'value', type };
}

function compileBinary(node: BinaryNode, ctx: ExprContext): Compiled {
  const level = CHAINS[node.op];
  if (level !== undefined && node.left.kind === 'Binary' && CHAINS[node.left.op] === level) return compileChain(node, ctx);
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
      const mismatch = ctx.usage?.arithmetic(node.loc);
      if (mismatch === undefined) return { run: (e, b) => arithmetic(op, l(e, b), r(e, b)), shape: 'value', type };
      const run: Evaluator = (e, b) => {
        const x = l(e, b);
        const y = r(e, b);
        const value = arithmetic(op, x, y);
        if (value === null) mismatch.check(op, x, y);
        return value;
      };
      return { run, shape: 'value', type };
    }
  }
}
