// Why the app refused an answer from the server, in words: one English source for the core (which puts
// the words in a security alert) and the renderer's catalogues (which hold them in German too). The key
// and its values travel with the alert (params.problemKey / params.mismatchKey), so the renderer can say
// the same in the user's language.

/** An answer whose binding or message is not for this request (shared/node/answer-binding.ts, the client). */
export const ANSWER_PROBLEM_WORDS = {
  noBinding: 'it does not say which request it answers (no signed binding)',
  malformedBinding: 'its binding is malformed',
  unsignedBinding: 'its binding is not signed by the back office',
  otherAccount: 'it is for account {{got}}, not {{expected}}',
  otherMessage: 'it is a {{got}} answer, not a {{expected}}',
  otherRequest: 'it answers another request',
  otherConnection: 'it was issued for another connection',
  malformedTime: 'its time is malformed',
  stale: 'it is older than what the app already has',
  notAnAnswer: 'a {{got}} message is not an answer to {{op}}',
  notAuthenticated: 'the connection is not authenticated',
} as const;

/** A transfer (or approval) answer that is not the transfer that was confirmed and sent. */
export const TRANSFER_MISMATCH_WORDS = {
  otherSender: 'it was sent by another account',
  otherAccount: 'it is for another account',
  otherRequest: 'it is another request',
  otherDestination: 'its destination is {{got}}, not {{expected}}',
  otherAmount: 'it is for {{gotAmount}} {{gotCurrency}}, not {{sentAmount}} {{sentCurrency}}',
  otherReference: 'its reference differs',
} as const;

export type AnswerProblemKey = keyof typeof ANSWER_PROBLEM_WORDS;
export type TransferMismatchKey = keyof typeof TRANSFER_MISMATCH_WORDS;

/** A reason with the values its words are built from. */
export interface Worded<K extends string> {
  key: K;
  values: Record<string, string>;
  /** The English words. */
  text: string;
}

function worded<K extends string>(table: Record<K, string>, key: K, values: Record<string, string> = {}): Worded<K> {
  return { key, values, text: table[key].replace(/\{\{(\w+)\}\}/g, (_, v: string) => values[v] ?? '') };
}

export const answerProblem = (key: AnswerProblemKey, values?: Record<string, string>) => worded(ANSWER_PROBLEM_WORDS, key, values);
export const transferMismatch = (key: TransferMismatchKey, values?: Record<string, string>) => worded(TRANSFER_MISMATCH_WORDS, key, values);
