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

async function get(path, params) {
  const url = apiUrl(path, params);
  calls.push(url);
  for (const listener of listeners) listener(calls);
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    // Errors are RFC 9457 problem details; fall back to the status line if the body is not.
    const problem = await response.json().catch(() => ({ title: response.statusText }));
    throw new ApiError(problem, response.status);
  }
  return response.json();
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
