import type { PanelData } from '../../src/dashboard/panel-data.js';
import type { FilterName, Panel, Section } from '../../src/dashboard/types.js';

/*
 * The shapes the API answers, as the UI reads them. The panel data contract is shared with the server
 * (src/dashboard/panel-data.ts); the rest mirror the endpoints. Every field from telemetry may be
 * missing or null, so the renderers check before they use.
 */

export type { PanelData };

/** A panel as GET /api/v1/dashboard lists it: the definition without its query. */
export type PanelInfo = Pick<
  Panel,
  'id' | 'section' | 'title' | 'type' | 'unit' | 'description' | 'width'
> & {
  readonly max?: number;
};

export interface DashboardInfo {
  readonly uid: string;
  readonly title: string;
  readonly sections: readonly Section[];
  readonly panels: readonly PanelInfo[];
  readonly filters: readonly FilterName[];
  readonly defaults: { readonly range: string; readonly refresh: string; readonly billingDay: number };
}

export interface PanelsResponse {
  readonly panels: Readonly<Record<string, PanelData | { readonly error: string }>>;
}

export type FiltersResponse = Readonly<Partial<Record<FilterName, readonly string[]>>>;

export interface SessionRow {
  readonly session_id: string;
  readonly started?: string | null;
  readonly ended?: string | null;
  readonly duration_s?: number | null;
  readonly cost_usd?: number | null;
  readonly tokens?: number | null;
  readonly machine?: string | null;
  readonly user?: string | null;
  readonly model?: string | null;
  readonly prompts?: number | null;
  readonly api_requests?: number | null;
  readonly tool_calls?: number | null;
  readonly errors?: number | null;
}

export interface SessionsResponse {
  readonly sessions: readonly SessionRow[];
}

export interface SessionEvent {
  readonly time: string | null;
  readonly name: string;
  readonly sequence?: number | null;
  readonly model?: string | null;
  readonly cost_usd?: number | null;
  readonly duration_ms?: number | null;
  readonly tool_name?: string | null;
  readonly success?: boolean | null;
  readonly status_code?: number | null;
  readonly error?: string | null;
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  /** the event's other attributes, as stored: an object, or its JSON text */
  readonly attributes?: unknown;
}

export interface SessionDetail {
  readonly session: SessionRow;
  readonly prompts: readonly {
    readonly prompt_id: string | null;
    readonly events: readonly SessionEvent[];
  }[];
  /** only the first events of a very long session are listed */
  readonly truncated?: boolean;
}

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface AlertRule {
  readonly name: string;
  readonly severity?: string | null;
  readonly state: AlertState;
  readonly value?: number | null;
  readonly activeAt?: string | null;
  readonly summary?: string | null;
  readonly description?: string | null;
  /** the label set this row is about (e.g. a user), empty for the rule as a whole */
  readonly labels?: Readonly<Record<string, string>> | null;
}

export interface AlertsResponse {
  readonly rules: readonly AlertRule[];
  readonly history: readonly {
    readonly time: string;
    readonly rule: string;
    readonly from: string;
    readonly to: string;
    readonly value?: number | null;
    readonly labels?: Readonly<Record<string, string>> | null;
  }[];
}
