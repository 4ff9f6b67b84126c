/**
 * Collects the rule errors of one file (graphql-js `ValidationContext`): checks report and go on;
 * past `MAX_ERRORS` further errors are dropped and one last error says so.
 */
import type { Loc } from '../ast.js';
import { RuleError, type RelatedLocation } from '../errors.js';

/** The cap on errors reported for one file. */
export const MAX_ERRORS = 50;

export class Reporter {
  readonly errors: RuleError[] = [];
  private dropped = 0;

  constructor(
    readonly file: string,
    readonly source: string,
  ) {}

  /** Errors reported so far, dropped ones included (to tell whether a check found any). */
  get count(): number {
    return this.errors.length + this.dropped;
  }

  /** Records an error at `loc` (with related locations, e.g. the first of a duplicate). */
  error(message: string, loc: Loc, related?: readonly RelatedLocation[]): void {
    if (this.errors.length >= MAX_ERRORS) {
      this.dropped++;
      return;
    }
    this.errors.push(new RuleError(message, { file: this.file, source: this.source, loc, related }));
  }

  /** The collected errors, with a final note when some were dropped. */
  finish(): RuleError[] {
    if (this.dropped > 0) {
      const last = this.errors[this.errors.length - 1];
      this.errors.push(new RuleError(`too many errors: ${this.dropped} more not shown`, { file: this.file, source: this.source, loc: last.loc }));
      this.dropped = 0;
    }
    return this.errors;
  }
}
