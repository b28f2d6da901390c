// The public JSON API, one function per endpoint: the calls a front end of your own would make.
// Nothing here is private to the explorer.

const ROOT = document.documentElement.dataset.apiRoot || '';

/** Every URL fetched since the view started: listed under each view so it can be copied. */
export const calls = [];
const listeners = new Set();

/** Call `listener(calls)` after every API call. */
export function onCall(listener) {
  listeners.add(listener);
}

export class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

/** A URL for the API: empty values are left out, lists become repeated parameters. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined && item !== '') query.append(name, item);
    }
  }
  const text = query.toString();
  return `${ROOT}${path}${text ? `?${text}` : ''}`;
}

function listed(method, url) {
  calls.push(method === 'GET' ? url : `${method} ${url}`);
  for (const listener of listeners) listener(calls);
}

async function answer(response) {
  if (!response.ok) {
    // Errors are RFC 9457 problem details; fall back to the status line if the body is not.
    const problem = await response.json().catch(() => ({ title: response.statusText }));
    throw new ApiError(problem, response.status);
  }
  return response.json();
}

// A curator's key travels only in the Authorization header: never in a URL, where browsers,
// proxies and access logs would keep it.
const authorised = (key) => (key ? { authorization: `Bearer ${key}` } : {});

async function get(path, params, key = null) {
  const url = apiUrl(path, params);
  listed('GET', url);
  return answer(await fetch(url, { headers: { accept: 'application/json', ...authorised(key) } }));
}

async function post(path, body, key = null) {
  const url = apiUrl(path);
  listed('POST', url);
  return answer(await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...authorised(key) },
    body: JSON.stringify(body),
    credentials: 'omit',
  }));
}

const segment = encodeURIComponent;

export const search = (q, limit = 50) => get('/search', { q, limit });
export const node = (id) => get(`/nodes/${segment(id)}`);
export const nodesOfKind = (kind, limit = 200) => get('/nodes', { kind, limit });
export const neighbourhood = (id, depth) => get(`/graph/neighbourhood/${segment(id)}`, { depth });
/** Case studies, strongest evidence first (GET /evidence). */
export const evidence = (filter, limit, offset) => get('/evidence', { ...filter, limit, offset });
export const facets = (filter, groupBy) => get('/evidence/facets', { ...filter, group_by: groupBy, zeros: true });
export const gapMap = (filter, rows, cols) => get('/evidence/gap-map', { ...filter, rows, cols });
export const gapMapCsvUrl = (filter, rows, cols) =>
  apiUrl('/evidence/gap-map', { ...filter, rows, cols, format: 'csv' });
/** Approaches ranked by their evidence, each with its card and case studies (GET /what-works). */
export const whatWorks = (filter, limit, offset) => get('/what-works', { ...filter, limit, offset });
/** Every approach with its card for the filter (GET /interventions). */
export const interventions = (filter = {}, limit = 200) => get('/interventions', { ...filter, limit });
/** One approach: its card, its case studies, a card per outcome (GET /interventions/{id}). */
export const intervention = (id, filter = {}) => get(`/interventions/${segment(id)}`, filter);
/** The rating rule as data (GET /ratings). */
export const ratings = () => get('/ratings');

/** A member's case study (POST /submissions, no key): the receipt and its status page. */
export const submit = (submission) => post('/submissions', submission);
/** A report of an error in one statement (POST /reports, no key). */
export const report = (body) => post('/reports', body);
/** The curators' decisions and corrections that wrote a statement (GET /nodes/{id}/decisions). */
export const decisions = (id) => get(`/nodes/${segment(id)}/decisions`);
/** Submissions waiting for a decision (GET /curation/queue, a `curate` key). */
export const queue = (key, limit = 100, offset = 0) => get('/curation/queue', { limit, offset }, key);
/** Open reports of errors (GET /curation/reports, a `curate` key). */
export const openReports = (key, limit = 100) => get('/curation/reports', { limit }, key);
/** Accept, request changes or decline (POST /submissions/{receipt}/decisions). */
export const decide = (key, receipt, decision) => post(`/submissions/${segment(receipt)}/decisions`, decision, key);
/** Resolve a report: corrected with a new value, or kept (POST /reports/{id}/resolution). */
export const resolve = (key, id, resolution) => post(`/reports/${segment(id)}/resolution`, resolution, key);
