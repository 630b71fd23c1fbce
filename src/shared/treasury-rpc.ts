// The two ends of every transport of the TreasuryApi contract (Electron IPC, the browser dev bridge):
// one dispatcher that performs a call on the core, and one client that turns an invoke function into
// the typed API. Only methods in TREASURY_METHODS cross; errors cross as {code, message, params?}.
import { TREASURY_METHODS, type ApiResult, type AppEvent, type TreasuryBridge, type TreasuryMethod } from './app-api';

export function isTreasuryMethod(method: unknown): method is TreasuryMethod {
  return typeof method === 'string' && (TREASURY_METHODS as readonly string[]).includes(method);
}

/** Performs one call on the core; never throws (a failure is an error result). */
export async function dispatchTreasuryCall(core: TreasuryBridge, method: unknown, args: unknown): Promise<ApiResult<unknown>> {
  if (!isTreasuryMethod(method) || !Array.isArray(args)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `no such method ${String(method)}` } };
  try {
    const fn = core[method] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: (await fn.apply(core, args)) ?? null };
  } catch (e) {
    const err = e as Error & { code?: string; params?: Record<string, string> };
    return { ok: false, error: { code: err.code ?? 'UNKNOWN', message: err.message, ...(err.params ? { params: err.params } : {}) } };
  }
}

/** The typed API over a transport: each method invokes, and an error result becomes an Error with `code`. */
export function treasuryClient(invoke: (method: TreasuryMethod, args: unknown[]) => Promise<ApiResult<unknown>>, onEvent: (listener: (e: AppEvent) => void) => () => void): TreasuryBridge {
  const api: Record<string, unknown> = { onEvent };
  for (const method of TREASURY_METHODS) {
    api[method] = async (...args: unknown[]) => {
      const r = await invoke(method, args);
      if (r.ok) return r.value;
      throw Object.assign(new Error(r.error.message), { code: r.error.code, ...(r.error.params ? { params: r.error.params } : {}) });
    };
  }
  return api as unknown as TreasuryBridge;
}
