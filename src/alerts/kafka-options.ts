/**
 * The options of the engine's Kafka clients (sink, source, admin, transactional producers), and of
 * the command line's TLS/SASL flags (DSL.md section 9), written once here. This module loads no
 * kafkajs, so that `cep serve`'s config schema and the command line can name the choices (the SASL
 * mechanisms) without loading the client; `kafka-client.ts` checks the values and builds the client.
 */
import type { logCreator } from 'kafkajs';
import type { OptionNames } from './option-names.js';

/** Connection options common to the sink and the source. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers as `host:port`, at least one. */
  readonly brokers: readonly string[];
  /** Client id shown in broker logs and metrics. Default `cep`. */
  readonly clientId?: string;
  /** kafkajs log level written to stderr: `nothing`, `error`, `warn`, `info`. Default `nothing` (failures surface as LiveErrors). */
  readonly logLevel?: 'nothing' | 'error' | 'warn' | 'info';
  /** Where kafkajs's log lines go (the run's logger, `--log-format`). Default: one JSON object a line on stderr. */
  readonly logCreator?: logCreator;
  /** How long to wait for a TCP connection to a broker, ms. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Retries of a failed request (connect, send, commit), with kafkajs's exponential backoff from
   * 300 ms up to 30 s; after the last, the failure is reported (CEP_KAFKA_*). Default 5.
   */
  readonly retries?: number;
  /**
   * TLS: `true` trusts Node's built-in CAs; an object names PEM files (own CA, client certificate).
   * Default: no TLS. The files are read when the client is created.
   */
  readonly ssl?: boolean | KafkaTlsOptions;
  /** SASL authentication (over TLS when `ssl` is set, else in clear). Default: none. */
  readonly sasl?: KafkaSaslOptions;
}

/** The PEM files of a TLS connection. */
export interface KafkaTlsOptions {
  /** CA certificate(s) to trust instead of Node's built-in list (`--kafka-ca`). */
  readonly caFile?: string;
  /** Client certificate for brokers that require one (`--kafka-cert`); needs `keyFile`. */
  readonly certFile?: string;
  /** The unencrypted private key of `certFile` (`--kafka-key`); needs `certFile`. */
  readonly keyFile?: string;
}

/** The SASL mechanisms offered (`--kafka-sasl`, `kafka-sasl:` in a config), named as kafkajs names them. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
/** One of {@link SASL_MECHANISMS}. */
export type KafkaSaslMechanism = (typeof SASL_MECHANISMS)[number];

/** SASL credentials. */
export interface KafkaSaslOptions {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  /** Never logged nor put in an error message. */
  readonly password: string;
}

/** The names of {@link KafkaConnectionOptions}, spread into a factory's own {@link OptionNames}. */
export const CONNECTION_OPTION_NAMES: OptionNames<KafkaConnectionOptions> = {
  brokers: true, clientId: true, logLevel: true, logCreator: true, connectionTimeoutMs: true, retries: true, ssl: true, sasl: true,
};

/** The command-line options of DSL.md section 9 that `connectionOptionsFromCli` reads (commander's camel-cased names). */
export interface KafkaSecurityCliOptions {
  kafkaSsl?: boolean;
  kafkaCa?: string;
  kafkaCert?: string;
  kafkaKey?: string;
  kafkaSasl?: string;
  kafkaUser?: string;
}

/** The TLS/SASL part of {@link KafkaConnectionOptions}. */
export type KafkaSecurityOptions = Pick<KafkaConnectionOptions, 'ssl' | 'sasl'>;

/** A watermark input id `topic/partition` (the Kafka source's naming) → its parts. */
export function parseTopicPartition(input: string): { topic: string; partition: number } {
  const slash = input.lastIndexOf('/');
  return { topic: input.slice(0, slash), partition: Number(input.slice(slash + 1)) };
}
