// Security policy of the renderer, shared by the Electron shell and the dev bridge.
// No remote code, no inline script, no network from the renderer: it only talks to the main
// process through the preload's typed API.
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
