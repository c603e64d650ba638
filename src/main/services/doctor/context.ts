/**
 * What the doctor's steps share: the options of a run, the context a step reads and fills in (settings, probe,
 * route, what a later step compares), and the shape of a step for the runner.
 */
import type * as net from 'node:net';
import type { ConnectionSettings } from '../../../shared/settings.ts';
import type { DoctorStep, DoctorVerdict, StepId, StepStatus, Worded } from '../../../shared/doctor.ts';
import type { Endpoint, Env, Probe, RequestSink, Route, SystemProxyResolver } from '../../core/probe.ts';
import { say } from './words.ts';
import type { BodyLimits } from '../chat/body-limits.ts';

export interface DoctorOptions {
  env: Env;
  lookup?: net.LookupFunction;
  systemProxyResolver?: SystemProxyResolver;
  /** Abort everything (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * The user's login-shell environment (the desktop app only: a desktop launch does not read shell
   * profiles). Proxy and key variables it sets that `env` lacks give the finding env_not_inherited.
   */
  loginShellEnv?: Env;
  /**
   * Keys of settings.json that Parley does not know (dotted names, e.g. `network.retriez` or
   * `providers → DeepSeek → temprature`): the settings step warns of them (finding settings_suspect).
   */
  unknownKeys?: readonly string[];
  /** Each step as soon as it is done (the app shows them live). */
  onStep?: (step: DoctorStep) => void;
  /** Every event of the doctor's own requests (route, connection steps, heads), for the log and the network panel. */
  sink?: RequestSink;
  /** What Parley remembers of routes that refuse large request bodies (the body-limit step reports it). */
  bodyLimits?: Pick<BodyLimits, 'get'>;
}

/** A step's result: its status and its sentences (joined by `sep`, default a space, for the English detail). */
export interface Outcome {
  status: StepStatus;
  words: Worded[];
  sep?: string;
}

/** Why a step did not run. */
export const SKIP_WORDS = {
  settings: say('skip_settings', {}),
  route: say('skip_route', {}),
  connection: say('skip_connection', {}),
  tls: say('skip_tls', {}),
  models: say('skip_models', {}),
  http: say('skip_http', {}),
  nothing: say('skip_nothing_failed', {}),
  answer: say('skip_answer', {}),
} as const;
export type SkipWhy = keyof typeof SKIP_WORDS;
export const STOPPED = say('stopped', {});

/** What the direct step compares: the connection that failed, or a request (the model list, a completion) that did. */
export type Comparison = { after: 'connection' } | { after: 'request'; error: unknown };

export interface DoctorContext {
  readonly raw: unknown;
  readonly opts: DoctorOptions;
  readonly env: Env;
  /** Set by the settings step when they are valid. */
  settings?: ConnectionSettings;
  /** Opened after the settings step (the trust store read). */
  probe?: Probe;
  /** Set by the route step. */
  route?: Route;
  /** Set by the step that failed and wants the direct step to compare. */
  compare?: Comparison;
  /** The completion step's outcome, for the stream step. */
  wholeOk: boolean;
  wholeError?: unknown;
  /** The stream step's error, if it failed. */
  streamError?: unknown;
  /** Cancelled: what is left is not run, and nothing more is a failure, finding or hint. */
  stopped(): boolean;
  hint(h: Worded | undefined): void;
  finding(f: string): void;
  /** A failure (the first is the verdict), as a finding, with the error's hint. */
  fail(code: DoctorVerdict, e?: unknown): void;
  /** A warning verdict (chat works): stream_broken, stream_buffered, model_not_found… */
  warning(code: DoctorVerdict): void;
  readonly failures: readonly DoctorVerdict[];
  /** Changes a step already reported (the settings step, when the trust store cannot be read). */
  amend(id: StepId, out: Outcome): void;
}

/** One step of the doctor, for the runner. */
export interface StepDef {
  id: StepId;
  /** Whether the step belongs to this run at all (the connection step is `connect` or `proxy` by the route). */
  applies?(ctx: DoctorContext): boolean;
  /** Not run although the run goes on (TLS for an http:// target, the direct step when nothing failed). */
  notNeeded?(ctx: DoctorContext): SkipWhy | undefined;
  /** Runs even after an earlier step stopped the run (the direct comparison a failed step asked for). */
  runsAfterStop?(ctx: DoctorContext): boolean;
  run(ctx: DoctorContext): Promise<Outcome> | Outcome;
  /** After the step (not after a cancel): why the run stops here, or undefined to go on. */
  next?(ctx: DoctorContext, status: StepStatus): Promise<SkipWhy | undefined> | SkipWhy | undefined;
}

/** The settings, probe, endpoint and route of a run that got past its route step. */
export function live(ctx: DoctorContext): { s: ConnectionSettings; probe: Probe; endpoint: Endpoint; route: Route } {
  if (!ctx.settings || !ctx.probe || !ctx.route) throw new Error('doctor: a step ran before the route was known');
  return { s: ctx.settings, probe: ctx.probe, endpoint: ctx.probe.endpoint, route: ctx.route };
}

/** A route the doctor makes up to compare with: straight to the provider. */
export const DIRECT: Route = { kind: 'direct', source: 'doctor comparison' };

/** The provider is reachable without the proxy: say how to bypass it. */
export function bypassHint(ctx: DoctorContext): void {
  const host = live(ctx).endpoint.host;
  ctx.hint(say('bypass', { host }));
}
