// The service's HTTP API as the page uses it, with its errors put in plain words.

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const POLL_MS = 500;

/** An API failure whose message is fit to show to a person. */
export class ApiError extends Error {}

/** Puts an HTTP error answer in plain words. */
export function explain(status, body, retryAfter) {
  const said = body && typeof body.error === 'string' ? body.error : '';
  switch (status) {
    case 400:
      return `The service refused the edit: ${said}`;
    case 401:
      return `The service needs a valid API key: ${said}`;
    case 403:
      return `This API key may not do that: ${said}`;
    case 404:
      return `The service does not know this: ${said}`;
    case 409:
      return `Not ready yet: ${said}`;
    case 413:
      return `The upload is too large for the service: ${said}`;
    case 429:
      return `The service is busy (or your key is past its limits). Try again in ${retryAfter || 'a few'} second${retryAfter === '1' ? '' : 's'}.`;
    case 503:
      return `The service is still warming up. Try again in a moment. ${said}`;
    default:
      return status >= 500
        ? `The service failed (${status}): ${said || 'no details'}`
        : `Unexpected answer ${status} from the service: ${said}`;
  }
}

const KEY_ITEM = 'instgenie.apiKey';

/** Whether the person gave an API key (kept in sessionStorage: this tab only, gone on close). */
export function hasKey() {
  return !!sessionStorage.getItem(KEY_ITEM);
}

/** The Authorization header of the key given, if any. */
function authorized(options = {}) {
  const key = sessionStorage.getItem(KEY_ITEM);
  if (!key) return options;
  return { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${key}` } };
}

/** The service asked for a key (401): asks the person for one; true when one was given. */
function askForKey(retrying) {
  const key = window.prompt(
    retrying ? 'That key was not accepted. API key for this service:' : 'This service needs an API key:',
  );
  if (!key || !key.trim()) return false;
  sessionStorage.setItem(KEY_ITEM, key.trim());
  return true;
}

/** fetch with the key; on 401 asks for a key and tries again (until the person gives up). */
async function fetchWithKey(url, options) {
  let res = await fetch(url, authorized(options));
  let asked = 0;
  while (res.status === 401 && askForKey(asked++ > 0 || hasKey())) {
    res = await fetch(url, authorized(options));
  }
  return res;
}

async function call(url, options, what) {
  let res;
  try {
    res = await fetchWithKey(url, options);
  } catch (e) {
    throw new ApiError(`Cannot reach the service to ${what}. Is it still running?`);
  }
  let body = null;
  if ((res.headers.get('Content-Type') || '').includes('application/json')) {
    body = await res.json().catch(() => null);
  }
  if (!res.ok) throw new ApiError(explain(res.status, body, res.headers.get('Retry-After')));
  return body;
}

export function model() {
  return call('/v1/model', {}, "read the model's facts");
}

export function examples() {
  return call('examples/examples.json', {}, 'list the examples');
}

/** POST /v1/edits as multipart: answers {id, template_id, seed, steps, ...}. */
export function submit({ image, mask, prompt, steps, seed, guidance }) {
  const form = new FormData();
  form.append('image', image, 'template.png');
  form.append('mask', mask, 'mask.png');
  form.append('prompt', prompt);
  if (steps !== '') form.append('steps', steps);
  if (seed !== '') form.append('seed', seed);
  if (guidance !== '') form.append('guidance', guidance);
  return call('/v1/edits', { method: 'POST', body: form }, 'submit the edit');
}

export function cancel(id) {
  return call(`/v1/edits/${encodeURIComponent(id)}`, { method: 'DELETE' }, 'cancel the edit');
}

export function status(id) {
  return call(`/v1/edits/${encodeURIComponent(id)}`, {}, 'read the edit');
}

export function imageUrl(id) {
  return `/v1/edits/${encodeURIComponent(id)}/image`;
}

export async function image(id) {
  let res;
  try {
    res = await fetchWithKey(imageUrl(id), {});
  } catch (e) {
    throw new ApiError('Cannot reach the service to fetch the result. Is it still running?');
  }
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(explain(res.status, body, null));
  }
  return res.blob();
}

/**
 * Follows an edit's progress over its WebSocket (the service replays the history to a late
 * client); if the socket cannot be used, polls its status instead. `onEvent` gets the service's
 * events ({type, ...}); answers a function that stops following.
 */
export function follow(id, onEvent) {
  let finished = false;
  let stopped = false;
  let timer = null;
  const deliver = (e) => {
    if (finished || stopped) return;
    if (TERMINAL.has(e.type)) finished = true;
    onEvent(e);
  };
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let ws = null;
  // a browser's WebSocket cannot send the API key: with one, the status is polled instead
  if (!hasKey()) {
    try {
      ws = new WebSocket(`${proto}//${location.host}/v1/edits/${encodeURIComponent(id)}/ws`);
    } catch (e) {
      ws = null;
    }
  }
  const poll = async () => {
    if (finished || stopped) return;
    try {
      const s = await status(id);
      for (const e of fromStatus(s)) deliver(e);
    } catch (e) {
      deliver({ type: 'failed', error: e.message });
    }
    if (!finished && !stopped) timer = setTimeout(poll, POLL_MS);
  };
  if (ws) {
    ws.onmessage = (m) => {
      let e;
      try {
        e = JSON.parse(m.data);
      } catch (err) {
        return;
      }
      if (e.type === 'error') deliver({ type: 'failed', error: e.error });
      else deliver(e);
    };
    ws.onclose = () => {
      if (!finished && !stopped) poll();
    };
  } else {
    poll();
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (ws && ws.readyState <= 1) ws.close();
  };
}

/** The events a status answer implies, for the polling fallback. */
function fromStatus(s) {
  switch (s.status) {
    case 'queued':
      return [{ type: 'queued', position: s.queue_position }];
    case 'running':
      return s.step > 0 ? [{ type: 'step', step: s.step, total: s.steps }] : [{ type: 'started' }];
    case 'completed':
      return [{ type: 'step', step: s.steps, total: s.steps }, { type: 'completed', timings: s.timings }];
    case 'failed':
      return [{ type: 'failed', error: s.error }];
    case 'cancelled':
      return [{ type: 'cancelled' }];
    default:
      return [];
  }
}
