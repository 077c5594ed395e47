// The LLM CV parser: one chat completion per CV through the official `openai` client (any OpenAI-compatible base
// URL), with structured outputs against the `ParsedCv` schema and temperature 0. The CV's text travels as untrusted
// data inside a random fence; the answer is validated with zod and checked against the text (llm-grounding.ts).
// Every way the call can fail ends in an `LlmParseError`: the caller keeps the local parse.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { openAiConfig, DEFAULT_OPENAI_MODEL, DEFAULT_OPENAI_TIMEOUT_MS } from '../../infra/config.js';
import type { ParsedCv } from '../../domain/cv/profile.js';
import { groundAnswer } from './llm-grounding.js';
import { RESPONSE_FORMAT, llmAnswerSchema, messages, newBoundary } from './llm-schema.js';

export interface LlmParserConfig {
  apiKey: string;
  baseURL?: string;
  model?: string;
  /** The whole budget of one `parse`, retries included (default 60 s). */
  timeoutMs?: number;
  /** Retries of a 429, a 5xx or a lost connection, with the client's backoff (default 2). */
  maxRetries?: number;
  /** The CV text sent is cut to this many characters (default 40,000: about 10,000 tokens). */
  maxChars?: number;
}

export interface LlmParser {
  parse(text: string): Promise<ParsedCv>;
}

export type LlmParseErrorCode =
  /** No answer within the time budget. */
  | 'timeout'
  /** 429 after the client's retries. */
  | 'rate_limited'
  /** Another HTTP error status (after retries where the client retries it). */
  | 'http'
  /** The endpoint could not be reached. */
  | 'connection'
  /** The model declined (a refusal or the content filter). */
  | 'refused'
  /** The answer was cut off at the token limit. */
  | 'truncated'
  /** The answer was not JSON, or had no content. */
  | 'malformed'
  /** The answer was JSON that does not match the schema. */
  | 'schema';

/** Why there is no AI parse. `retryable` says whether trying again later may succeed (it is the service, not the CV). */
export class LlmParseError extends Error {
  override readonly name = 'LlmParseError';
  readonly retryable: boolean;
  constructor(
    readonly code: LlmParseErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = code === 'timeout' || code === 'rate_limited' || code === 'connection' || (code === 'http' && (status ?? 500) >= 500);
  }
}

function callFailure(error: unknown, deadline: AbortSignal): LlmParseError {
  if (deadline.aborted || error instanceof APIConnectionTimeoutError)
    return new LlmParseError('timeout', 'the model did not answer in time', undefined, { cause: error });
  if (error instanceof APIUserAbortError) return new LlmParseError('timeout', 'the call was aborted', undefined, { cause: error });
  if (error instanceof APIConnectionError) return new LlmParseError('connection', `could not reach the model: ${error.message}`, undefined, { cause: error });
  if (error instanceof APIError) {
    const status = error.status as number | undefined;
    return new LlmParseError(status === 429 ? 'rate_limited' : 'http', `the model endpoint answered ${String(status)}`, status, { cause: error });
  }
  return new LlmParseError('malformed', `unexpected answer: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
}

/**
 * The call's result, or a rejection as soon as `signal` aborts: the client honours a server's Retry-After however
 * long, sleeping without looking at the signal, so the deadline is kept here.
 */
function untilAborted<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createLlmParser(config: LlmParserConfig): LlmParser {
  const timeoutMs = config.timeoutMs ?? DEFAULT_OPENAI_TIMEOUT_MS;
  const model = config.model ?? DEFAULT_OPENAI_MODEL;
  const maxChars = config.maxChars ?? 40_000;
  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    maxRetries: config.maxRetries ?? 2,
    timeout: timeoutMs,
    logLevel: 'off',
  });

  return {
    async parse(text: string): Promise<ParsedCv> {
      const boundary = newBoundary();
      // One deadline over every attempt: the client's own timeout is per attempt, and it retries timeouts.
      const deadline = AbortSignal.timeout(timeoutMs);
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        const call = client.chat.completions.create(
          { model, temperature: 0, response_format: RESPONSE_FORMAT, messages: messages(text, boundary, maxChars) },
          { signal: deadline },
        );
        completion = await untilAborted(call, deadline);
      } catch (error) {
        throw callFailure(error, deadline);
      }
      const choice = (completion as Partial<typeof completion> | null)?.choices?.[0];
      if (!choice?.message) throw new LlmParseError('malformed', 'the answer has no message');
      if (choice.finish_reason === 'length') throw new LlmParseError('truncated', 'the answer was cut off at the token limit');
      if (choice.finish_reason === 'content_filter') throw new LlmParseError('refused', 'the content filter stopped the answer');
      if (choice.message.refusal) throw new LlmParseError('refused', `the model refused: ${choice.message.refusal.slice(0, 200)}`);
      const content = choice.message.content;
      if (!content) throw new LlmParseError('malformed', 'the answer is empty');
      let json: unknown;
      try {
        json = JSON.parse(content);
      } catch (error) {
        throw new LlmParseError('malformed', 'the answer is not JSON', undefined, { cause: error });
      }
      const answer = llmAnswerSchema.safeParse(json);
      if (!answer.success) {
        const where = answer.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ');
        throw new LlmParseError('schema', `the answer does not match the schema (${where})`, undefined, { cause: answer.error });
      }
      return groundAnswer(answer.data, text);
    },
  };
}

/** The parser configured by OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL and OPENAI_TIMEOUT_MS; null without a key. */
export function llmParserFromEnv(env: NodeJS.ProcessEnv = process.env): LlmParser | null {
  const config = openAiConfig(env);
  return config ? createLlmParser(config) : null;
}
