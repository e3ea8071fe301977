import type { Dimension, FilterName, LogColumn } from './types.js';

/** Everything a panel's numbers depend on besides the data: the range, the billing day, the filters. */
export interface PanelParams {
  /** half-open range [fromMs, toMs) */
  readonly fromMs: number;
  readonly toMs: number;
  /** IANA time zone: billing-cycle start and hour buckets are in it */
  readonly tz: string;
  /** 1..28: the day of the month a billing cycle starts */
  readonly billingDay: number;
  /** "now" for the billing cycle (the cycle runs from its start until now) */
  readonly nowMs: number;
  /** each filter keeps only data whose field equals the value */
  readonly filters: Readonly<Partial<Record<FilterName, string>>>;
}

/** A panel's data as the API sends it and the web UI draws it. Label values are raw telemetry text. */
export type PanelData =
  | { readonly kind: 'scalar'; readonly value: number }
  | {
      readonly kind: 'breakdown';
      readonly by: readonly Dimension[];
      readonly rows: readonly {
        readonly labels: Readonly<Partial<Record<Dimension, string>>>;
        readonly value: number;
      }[];
    }
  | {
      readonly kind: 'series';
      readonly bucketMs: number;
      /** one series per value of the panel's `by` dimension (a single series named "" without one) */
      readonly series: readonly {
        readonly name: string;
        readonly points: readonly (readonly [number, number])[];
      }[];
    }
  | {
      readonly kind: 'log';
      readonly columns: readonly LogColumn[];
      /** time as an ISO string, other columns as stored (null when absent) */
      readonly rows: readonly Readonly<Partial<Record<LogColumn, string | number | boolean | null>>>[];
    };
