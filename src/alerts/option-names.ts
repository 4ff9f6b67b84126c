/**
 * The unknown-option check of the live components' factories (the WebSocket server, the Kafka sink
 * and source), so that a misspelt option is an error rather than ignored (STYLE.md 11, after ws
 * `websocket-server.js` and kafkajs `misconfiguration.spec.js`).
 */

/** Every option name of `T`, each once: the compiler holds such a record to `T`'s keys, so the two cannot drift apart. */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Checks that `options` holds only names of `names`.
 * @throws TypeError naming the first unknown option and the known ones: `unknown Kafka sink option 'topc'; known options: ...`.
 */
export function checkOptionNames<T>(what: string, options: object, names: OptionNames<T>): void {
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(names, name)) throw new TypeError(`unknown ${what} option '${name}'; known options: ${Object.keys(names).join(', ')}`);
  }
}
