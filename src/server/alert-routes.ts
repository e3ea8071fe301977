import type { AlertEvaluator } from '../alerts/evaluator.js';
import { HttpError } from './http-error.js';
import { json, type Route } from './routes.js';

const DEFAULT_HISTORY = 100;
const MAX_HISTORY = 1000;

/**
 * GET /api/v1/alerts: every rule's state (one row per pending or firing label set, or one inactive row
 * per rule) and the latest state changes, newest first (`?history=N`, default 100).
 */
export function alertRoutes(alerts: AlertEvaluator): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/alerts',
      handle: async ({ url }) => {
        const raw = url.searchParams.get('history');
        const limit = raw === null ? DEFAULT_HISTORY : Number(raw);
        if (!Number.isInteger(limit) || limit < 0 || limit > MAX_HISTORY)
          throw new HttpError(400, `history: expected a whole number from 0 to ${MAX_HISTORY}, got "${raw}"`);
        return json(await alerts.view(limit));
      },
    },
  ];
}
