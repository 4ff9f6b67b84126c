/**
 * An event as the matcher sees it: the JSON object that was read, with its event type and event
 * time already extracted by the runtime (DSL.md section 1). Flink passes the timestamp beside the
 * event; here it travels with it, so that partial matches, conditions (`time(e)`) and alerts can
 * read it without a side table.
 */
export interface CepEvent {
  /** The event type (the value of the type field, `type` by default). */
  readonly type: string;
  /** Event time in epoch milliseconds. */
  readonly time: number;
  /** The JSON object as it was read; conditions read its fields. Never changed after it was read (partial matches hold it; alerts share its JSON text). */
  readonly data: Readonly<Record<string, unknown>>;
}
