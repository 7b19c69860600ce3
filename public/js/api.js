// The one way the pages talk to the JSON API.
//
// Every call sends `Accept-Language` with the chosen language, so the API's error messages come
// back in that language and can be shown as given. The session is an HttpOnly cookie the browser
// sends by itself; nothing here reads or stores it.

import { getLang, t } from './i18n.js';
import { stepUp } from './step-up.js';

/**
 * @returns {Promise<{ok: true, status: number, data: any} |
 *                   {ok: false, status: number, error: {code: string, message: string, fields?: Object<string, string>}}>}
 *   status 0 means the API could not be reached.
 */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': getLang() };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(path, init);
    // A read that met a passing failure (an edge or a proxy dropping the connection: 502–504) is
    // safe to send again, once, before the page shows an error; a write is never repeated.
    if (method === 'GET' && response.status >= 502 && response.status <= 504) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      response = await fetch(path, init);
    }
  } catch {
    return { ok: false, status: 0, error: { code: 'network_error', message: t('common.network_error') } };
  }

  let data = null;
  try {
    const text = await response.text();
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }

  if (response.ok) return { ok: true, status: response.status, data };

  const error = data && typeof data.error === 'object' && data.error !== null ? { ...data.error } : {};
  // A sensitive action needs the second factor proven again: ask for it, then send the request again.
  if (response.status === 403 && error.code === 'step_up_required' && (await stepUp())) return api(method, path, body);
  if (typeof error.code !== 'string') error.code = 'unexpected';
  if (typeof error.message !== 'string' || error.message === '') error.message = t('common.unexpected');
  if (error.retry_after === undefined) {
    const header = Number(response.headers.get('Retry-After'));
    if (Number.isFinite(header) && header > 0) error.retry_after = header;
  }
  return { ok: false, status: response.status, error };
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path, body) => api('DELETE', path, body);
